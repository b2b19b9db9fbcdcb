package io.junction.tools;

import java.time.Duration;

import com.typesafe.config.Config;

import io.junction.SlowSubscriberPolicy;

import static io.junction.tools.ConfigKeys.duration;
import static io.junction.tools.ConfigKeys.intAtLeast;
import static io.junction.tools.ConfigKeys.policy;
import static io.junction.tools.ConfigKeys.string;

/**
 * Where the protocol listens and how its clients' subscriptions behave: {@code listen { host, port,
 * publish-timeout }} and {@code subscriber { policy, outbox-capacity }}. A restart applies changes.
 *
 * @param subscriberOutboxCapacity not used by remote subscriptions; kept so that existing files still load.
 */
public record ListenConfig(String host, int port, Duration publishTimeout, SlowSubscriberPolicy subscriberPolicy,
    int subscriberOutboxCapacity)
{
    static ListenConfig from(final Config config)
    {
        return new ListenConfig(
            string(config, "listen.host"),
            intAtLeast(config, "listen.port", 0, 65535),
            duration(config, "listen.publish-timeout", false),
            policy(config, "subscriber.policy"),
            intAtLeast(config, "subscriber.outbox-capacity", 2, 1 << 24));
    }
}
