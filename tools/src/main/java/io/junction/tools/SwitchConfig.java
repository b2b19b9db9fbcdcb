package io.junction.tools;

import java.time.Duration;

import com.typesafe.config.Config;

import static io.junction.tools.ConfigKeys.duration;
import static io.junction.tools.ConfigKeys.idle;
import static io.junction.tools.ConfigKeys.intAtLeast;
import static io.junction.tools.ConfigKeys.powerOfTwo;

/**
 * The switch the daemon runs: {@code shards}, {@code ring-size}, {@code max-message-length}, {@code idle-strategy},
 * {@code drop-grace}, {@code route-command-queue-capacity}, {@code shutdown-timeout}. A restart applies changes (shutdown-timeout aside: a stop uses the
 * value last loaded).
 */
public record SwitchConfig(int shards, int ringSize, int maxMessageLength, IdleChoice idleStrategy,
    Duration dropGrace, int routeCommandQueueCapacity, Duration shutdownTimeout)
{
    static SwitchConfig from(final Config config)
    {
        return new SwitchConfig(
            intAtLeast(config, "shards", 1, 64),
            powerOfTwo(config, "ring-size"),
            maxMessageLength(config),
            idle(config, "idle-strategy"),
            duration(config, "drop-grace", false),
            intAtLeast(config, "route-command-queue-capacity", 2, 1 << 30),
            duration(config, "shutdown-timeout", false));
    }

    static int maxMessageLength(final Config config)
    {
        return intAtLeast(config, "max-message-length", 0, 16 << 20);
    }
}
