package io.junction.tools;

import java.time.Duration;

import com.typesafe.config.Config;

import static io.junction.tools.ConfigKeys.bool;
import static io.junction.tools.ConfigKeys.duration;
import static io.junction.tools.ConfigKeys.intAtLeast;

/**
 * Observation: {@code counters-capacity}, {@code observe-interval}, {@code histogram-log},
 * {@code shed-burst-threshold}. A restart applies changes.
 */
public record ObserveConfig(int countersCapacity, Duration interval, boolean histogramLog, long shedBurstThreshold)
{
    static ObserveConfig from(final Config config)
    {
        return new ObserveConfig(
            intAtLeast(config, "counters-capacity", 64, 1 << 20),
            duration(config, "observe-interval", true),
            bool(config, "histogram-log"),
            intAtLeast(config, "shed-burst-threshold", 1, Integer.MAX_VALUE));
    }
}
