package io.junction.tools;

import java.time.Duration;
import java.util.Locale;

import com.typesafe.config.Config;

import io.junction.journal.FlushPolicy;

import static io.junction.tools.ConfigKeys.bool;
import static io.junction.tools.ConfigKeys.bytes;
import static io.junction.tools.ConfigKeys.duration;
import static io.junction.tools.ConfigKeys.intAtLeast;
import static io.junction.tools.ConfigKeys.powerOfTwo;
import static io.junction.tools.ConfigKeys.string;

/**
 * The journal as configured ({@code journal { ... }}): opened at start, a restart applies changes
 * (durable-timeout aside, which a reload applies).
 *
 * @param dir             where the journal's files go; empty: {@code <data dir>/journal}.
 * @param durableTimeout  how long a guaranteed PUBLISH waits to be journaled before it is answered with an error.
 * @param retentionMaxAge 0: no age limit; retentionMaxBytes and retentionMaxCycles 0: no limit.
 * @param deduplicationWindow publisher sequences remembered per idempotent publisher (a power of two).
 * @param durableMaxSubscriptions   durable subscriptions and replays served over the protocol at once.
 * @param durableMaxUnacknowledged  messages a durable subscription may have delivered and not acknowledged; at
 *                                  the limit the server sends it nothing more until an ACK.
 */
public record JournalConfig(
    boolean enabled, String dir, FlushPolicy flushPolicy, long minFreeDiskBytes, Duration durableTimeout,
    Duration retentionMaxAge, long retentionMaxBytes, int retentionMaxCycles, int deduplicationWindow,
    int durableMaxSubscriptions, int durableMaxUnacknowledged)
{
    static JournalConfig from(final Config config)
    {
        final String policyText = string(config, "journal.flush-policy");
        final FlushPolicy policy;
        try
        {
            policy = FlushPolicy.valueOf(policyText.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigException("key 'journal.flush-policy': must be one of os, per-batch, per-message; was '" +
                policyText + "'");
        }
        return new JournalConfig(
            bool(config, "journal.enabled"),
            string(config, "journal.dir"),
            policy,
            bytes(config, "journal.min-free-disk"),
            duration(config, "journal.durable-timeout", true),
            duration(config, "journal.retention.max-age", false),
            bytes(config, "journal.retention.max-bytes"),
            intAtLeast(config, "journal.retention.max-cycles", 0, Integer.MAX_VALUE),
            deduplicationWindow(config, "journal.deduplication-window"),
            intAtLeast(config, "journal.durable.max-subscriptions", 0, 1 << 20),
            intAtLeast(config, "journal.durable.max-unacknowledged", 1, 1 << 20));
    }

    private static int deduplicationWindow(final Config config, final String key)
    {
        final int value = powerOfTwo(config, key);
        if (value < 64 || value > (1 << 24))
        {
            throw new ConfigException("key '" + key + "': must be a power of two from 64 to 16777216, was " + value);
        }
        return value;
    }
}
