package io.junction.tools;

import com.typesafe.config.Config;

import static io.junction.tools.ConfigKeys.checkedBytes;
import static io.junction.tools.ConfigKeys.string;

/**
 * Where the node keeps its files and what it calls itself: {@code dir}, {@code counters-dir}, {@code node-name},
 * {@code error-log-capacity}. A restart applies changes.
 *
 * @param dir              the data directory; empty: a new directory under the system temp dir.
 * @param countersDir      where counters.dat lives; empty: the data directory.
 * @param nodeName         the name in webhook payloads; empty: the host name.
 * @param errorLogCapacity bytes of the distinct error log (errors.dat).
 */
public record NodeConfig(String dir, String countersDir, String nodeName, int errorLogCapacity)
{
    static NodeConfig from(final Config config)
    {
        return new NodeConfig(
            string(config, "dir"),
            string(config, "counters-dir"),
            string(config, "node-name"),
            (int)Math.min(Integer.MAX_VALUE, checkedBytes(config, "error-log-capacity", 64 << 10, 1L << 30)));
    }

    public NodeConfig withDir(final String dir)
    {
        return new NodeConfig(dir, countersDir, nodeName, errorLogCapacity);
    }
}
