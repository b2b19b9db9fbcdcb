package io.junction.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import io.junction.Junction;

/**
 * {@code route-command-queue-capacity}: its default is the switch's, and a value is read and checked naming the key
 * (DaemonSwitch hands it to {@code Junction.Context.routeCommandQueueCapacity}).
 */
class RouteCommandQueueConfigTest
{
    @Test
    void theKeyDefaultsToTheSwitchsCapacityAndIsCheckedNamingIt()
    {
        assertEquals(Junction.Context.DEFAULT_ROUTE_COMMAND_QUEUE_CAPACITY,
            DaemonConfig.parse("").switchConfig().routeCommandQueueCapacity());
        final ConfigException bad = assertThrows(ConfigException.class,
            () -> DaemonConfig.parse("route-command-queue-capacity = 1"));
        assertEquals("key 'route-command-queue-capacity': must be between 2 and 1073741824, was 1", bad.getMessage());

        final DaemonConfig config = DaemonConfig.parse("route-command-queue-capacity = 100");
        assertEquals(100, config.switchConfig().routeCommandQueueCapacity());
    }
}
