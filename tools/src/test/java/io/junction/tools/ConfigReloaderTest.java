package io.junction.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;

class ConfigReloaderTest
{
    @Test
    void everyKeyOfTheDefaultsSaysWhatAReloadDoesWithIt()
    {
        final Config defaults = DaemonConfig.defaults();
        final TreeSet<String> unsaid = new TreeSet<>();
        for (final Map.Entry<String, ConfigValue> entry : defaults.entrySet())
        {
            final long covering = ConfigReloader.KEYS.stream().filter((k) -> k.covers(entry.getKey())).count();
            if (1 != covering)
            {
                unsaid.add(entry.getKey() + " (" + covering + ")");
            }
        }
        assertEquals(new TreeSet<>(), unsaid, "keys said by no entry, or by more than one");
        for (final ConfigReloader.Key key : ConfigReloader.KEYS)
        {
            assertTrue(defaults.hasPath(key.name()), key.name() + " is no key of the defaults");
            assertEquals(key.apply() == ConfigReloader.Apply.LIVE, null == key.value(), key.name());
        }
    }

    @Test
    void aChangedRestartOnlyKeyIsNamedWithBothValues()
    {
        final DaemonConfig running = DaemonConfig.parse("");
        assertEquals(List.of(), ConfigReloader.restartOnlyChanges(running, DaemonConfig.parse(
            "journal.durable-timeout = 9s\nshards = 4\nalarms.rules = []")));
        assertEquals(List.of("key 'journal.flush-policy' changed (OS -> PER_BATCH)",
            "key 'cluster.election-timeout' changed (PT0.05S -> PT1S)"),
            ConfigReloader.restartOnlyChanges(running, DaemonConfig.parse(
                "journal.flush-policy = per-batch\ncluster.election-timeout = 1s")));
    }
}
