package io.junction.tools;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code junction config check FILE}: every problem of a daemon configuration, each naming its key, without
 * starting anything; exit 0 when the daemon would start with it, 2 otherwise.
 */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Check a daemon configuration file.",
    subcommands = ConfigCommand.Check.class)
public final class ConfigCommand
{
    private static final Pattern KEY = Pattern.compile("key '([^']+)'");
    private static final int MAX_PROBLEMS = 100;

    @Command(name = "check", mixinStandardHelpOptions = true,
        description = {
            "Check FILE as 'junction run --config FILE' would: each unknown key and each bad value, by key.",
            "Exit 0: the daemon would start with it; 2: it would not (one line per problem)." })
    static final class Check implements Callable<Integer>
    {
        @Parameters(index = "0", paramLabel = "FILE", description = "HOCON configuration.")
        File file;

        @Override
        public Integer call()
        {
            final List<String> problems = problems(file);
            for (final String problem : problems)
            {
                System.err.println("junction config check: " + problem);
            }
            if (problems.isEmpty())
            {
                System.out.println(file + ": ok");
                return 0;
            }
            System.err.println(file + ": " + problems.size() + " problem(s)");
            return RunCommand.EXIT_CONFIG;
        }
    }

    /**
     * @return each problem of the file, each naming its key; empty when {@link DaemonConfig#load} accepts it.
     */
    static List<String> problems(final File file)
    {
        final List<String> problems = new ArrayList<>();
        if (!file.isFile())
        {
            problems.add("config file not found: " + file);
            return problems;
        }
        Config user;
        try
        {
            user = ConfigFactory.parseFile(file, ConfigParseOptions.defaults()
                .setSyntax(ConfigSyntax.CONF).setAllowMissing(false)).resolve();
        }
        catch (final com.typesafe.config.ConfigException ex)
        {
            problems.add("not valid HOCON: " + ex.getMessage());
            return problems;
        }
        final Config defaults = DaemonConfig.defaults();
        for (final Map.Entry<String, ConfigValue> entry : user.entrySet())
        {
            if (!defaults.hasPath(entry.getKey()))
            {
                problems.add("unknown key '" + entry.getKey() + "' (line " + entry.getValue().origin().lineNumber() +
                    ")");
                user = user.withoutPath(entry.getKey());
            }
        }
        // Values: DaemonConfig stops at the first bad key, so take each one away and check again.
        String previous = null;
        while (problems.size() < MAX_PROBLEMS)
        {
            try
            {
                DaemonConfig.from(user.withFallback(defaults));
                break;
            }
            catch (final ConfigException | com.typesafe.config.ConfigException ex)
            {
                final String message = ex.getMessage();
                if (message.equals(previous))
                {
                    break;
                }
                problems.add(message);
                previous = message;
                final Matcher key = KEY.matcher(message);
                if (!key.find() || key.group(1).contains("[") || !user.hasPath(key.group(1)))
                {
                    break; // a key inside a list, or between keys: the rest is checked once this one is fixed
                }
                user = user.withoutPath(key.group(1));
            }
        }
        return problems;
    }
}
