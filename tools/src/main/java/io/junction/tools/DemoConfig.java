package io.junction.tools;

import com.typesafe.config.Config;

import static io.junction.tools.ConfigKeys.intAtLeast;

/**
 * The built-in load, {@code demo-load { rate, size }}: rate 0 is off. A restart applies changes.
 */
public record DemoConfig(int rate, int size)
{
    static DemoConfig from(final Config config)
    {
        return new DemoConfig(
            intAtLeast(config, "demo-load.rate", 0, 100_000_000),
            intAtLeast(config, "demo-load.size", 8, 16 << 20));
    }

    public DemoConfig withRate(final int rate)
    {
        return new DemoConfig(rate, size);
    }
}
