package io.junction.tools;

import java.time.Duration;

import com.typesafe.config.Config;

import static io.junction.tools.ConfigKeys.duration;
import static io.junction.tools.ConfigKeys.intAtLeast;
import static io.junction.tools.ConfigKeys.string;

/**
 * Where alarm notifications go ({@code alarms.webhook}, empty: nowhere) and how they get there
 * ({@code alarms.webhook-delivery { ... }}): retried with a doubling backoff, a bounded number of times, from a
 * bounded queue. A reload applies changes.
 */
public record WebhookConfig(String url, Delivery delivery)
{
    public record Delivery(int attempts, Duration initialBackoff, Duration maxBackoff, Duration timeout,
        int queueCapacity)
    {
    }

    public boolean enabled()
    {
        return !url.isEmpty();
    }

    static WebhookConfig from(final Config config)
    {
        return new WebhookConfig(
            url(config, "alarms.webhook"),
            new Delivery(
                intAtLeast(config, "alarms.webhook-delivery.attempts", 1, 100),
                duration(config, "alarms.webhook-delivery.initial-backoff", true),
                duration(config, "alarms.webhook-delivery.max-backoff", true),
                duration(config, "alarms.webhook-delivery.timeout", true),
                intAtLeast(config, "alarms.webhook-delivery.queue-capacity", 1, 1 << 20)));
    }

    private static String url(final Config config, final String key)
    {
        final String url = string(config, key).trim();
        if (!url.isEmpty() && !(url.startsWith("http://") || url.startsWith("https://")))
        {
            throw new ConfigException("key '" + key + "': must be an http:// or https:// URL, was '" + url + "'");
        }
        if (!url.isEmpty())
        {
            try
            {
                java.net.URI.create(url);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new ConfigException("key '" + key + "': not a valid URL: " + ex.getMessage());
            }
        }
        return url;
    }
}
