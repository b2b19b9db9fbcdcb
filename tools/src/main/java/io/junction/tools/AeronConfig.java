package io.junction.tools;

import java.util.Locale;

import com.typesafe.config.Config;

import static io.junction.tools.ConfigKeys.bool;
import static io.junction.tools.ConfigKeys.bytes;
import static io.junction.tools.ConfigKeys.duration;
import static io.junction.tools.ConfigKeys.intAtLeast;
import static io.junction.tools.ConfigKeys.string;

/**
 * The daemon's Aeron edge ({@code aeron { ... }}): the Junction protocol over Aeron UDP and IPC, served with the
 * same session logic as TCP. A restart applies changes.
 *
 * @param enabled         serve Aeron clients at all.
 * @param embeddedDriver  true: run a media driver inside the daemon (deleted at stop); false: use a running one.
 * @param dir             the media driver's directory; empty: {@code /dev/shm/junction-aeron-<pid>} (or
 *                        {@code <dir>/aeron} without {@code /dev/shm}) for the embedded driver, Aeron's default for
 *                        an external one.
 * @param ingressEndpoint the UDP {@code host:port} clients publish to; empty: no UDP.
 * @param ipc             also take clients over {@code aeron:ipc} (same host, same driver).
 * @param ingressStreamId the stream id of the ingress (UDP and IPC).
 * @param threadingMode   the embedded driver's threading: shared (one thread), dedicated (three) or invoker (none: it
 *                        runs on the duty cycle of the I/O agent that serves the Aeron sessions).
 * @param termLength      the term length of the embedded driver's publications (a power of two).
 * @param busyDriver      the embedded driver backs off to a 100 µs park (true) or to a 1 ms park (false, default).
 * @param receiverWindow  the embedded driver's receiver window and UDP socket buffers, in bytes (capped at half a term):
 *                        how much a client may send before the daemon's driver acknowledges it.
 * @param idlePollNs      the longest an idle I/O agent goes without polling the Aeron ingress (Aeron wakes no
 *                        selector); below 1 ms it parks that long instead of waiting in its selector, so it then
 *                        looks at its sockets at that interval too.
 * @param activePollNs    the same while Aeron messages come in (within {@link AeronEdge#ACTIVE_WINDOW_NS} of the
 *                        last), capped at {@code idlePollNs}; equal to it, the agent polls alike either way.
 */
public record AeronConfig(boolean enabled, boolean embeddedDriver, String dir, String ingressEndpoint, boolean ipc,
    int ingressStreamId, String threadingMode, int termLength, boolean busyDriver, int receiverWindow, long idlePollNs,
    long activePollNs)
{
    /** The shortest idle poll: shorter is a busy-spin in all but name. */
    static final long MIN_IDLE_POLL_NS = java.util.concurrent.TimeUnit.MICROSECONDS.toNanos(10);

    static AeronConfig from(final Config config)
    {
        final String endpoint = string(config, "aeron.ingress-endpoint").trim();
        if (!endpoint.isEmpty())
        {
            final int colon = endpoint.lastIndexOf(':');
            boolean valid = colon > 0;
            if (valid)
            {
                try
                {
                    final int port = Integer.parseInt(endpoint.substring(colon + 1));
                    valid = port > 0 && port <= 65535;
                }
                catch (final NumberFormatException ex)
                {
                    valid = false;
                }
            }
            if (!valid)
            {
                throw new ConfigException("key 'aeron.ingress-endpoint': must be host:port (a port of 1 to 65535) " +
                    "or empty, was '" + endpoint + "'");
            }
        }
        final String mode = string(config, "aeron.threading-mode").trim().toLowerCase(Locale.ROOT);
        if (!"shared".equals(mode) && !"dedicated".equals(mode) && !"invoker".equals(mode))
        {
            throw new ConfigException("key 'aeron.threading-mode': must be shared, dedicated or invoker, was '" +
                mode + "'");
        }
        final long termLength = bytes(config, "aeron.term-length");
        if (Long.bitCount(termLength) != 1 || termLength < 64 << 10 || termLength > 1 << 30)
        {
            throw new ConfigException("key 'aeron.term-length': must be a power of two from 64K to 1G, was " +
                termLength);
        }
        final boolean ipc = bool(config, "aeron.ipc");
        final boolean enabled = bool(config, "aeron.enabled");
        if (enabled && endpoint.isEmpty() && !ipc)
        {
            throw new ConfigException("key 'aeron.enabled': the Aeron edge serves nothing with aeron.ingress-endpoint " +
                "empty and aeron.ipc = false");
        }
        final String idle = string(config, "aeron.driver-idle").trim().toLowerCase(Locale.ROOT);
        if (!"sleeping".equals(idle) && !"backoff".equals(idle))
        {
            throw new ConfigException("key 'aeron.driver-idle': must be sleeping or backoff, was '" + idle + "'");
        }
        final long window = bytes(config, "aeron.receiver-window");
        if (window < 64 << 10 || window > 1 << 30)
        {
            throw new ConfigException("key 'aeron.receiver-window': must be from 64K to 1G, was " + window);
        }
        final long idlePollNs = duration(config, "aeron.idle-poll", true).toNanos();
        if (idlePollNs < MIN_IDLE_POLL_NS || idlePollNs > java.util.concurrent.TimeUnit.SECONDS.toNanos(1))
        {
            throw new ConfigException("key 'aeron.idle-poll': must be from 10us to 1s, was " +
                string(config, "aeron.idle-poll"));
        }
        final long activePollNs = duration(config, "aeron.active-poll", true).toNanos();
        if (activePollNs < MIN_IDLE_POLL_NS || activePollNs > java.util.concurrent.TimeUnit.SECONDS.toNanos(1))
        {
            throw new ConfigException("key 'aeron.active-poll': must be from 10us to 1s, was " +
                string(config, "aeron.active-poll"));
        }
        final boolean embedded = bool(config, "aeron.embedded-driver");
        if ("invoker".equals(mode) && !embedded)
        {
            throw new ConfigException("key 'aeron.threading-mode': invoker runs the daemon's own driver on its I/O " +
                "agent, so it needs aeron.embedded-driver = true");
        }
        return new AeronConfig(
            enabled,
            embedded,
            string(config, "aeron.dir"),
            endpoint,
            ipc,
            intAtLeast(config, "aeron.ingress-stream-id", 1, Integer.MAX_VALUE),
            mode,
            (int)termLength,
            "backoff".equals(idle),
            (int)window,
            idlePollNs,
            Math.min(activePollNs, idlePollNs)); // never slower than when idle
    }

    /**
     * @return true if the embedded driver has no thread and runs on the I/O agent's duty cycle.
     */
    boolean invokedDriver()
    {
        return "invoker".equals(threadingMode);
    }

    /**
     * @return the host of {@link #ingressEndpoint} ("" if none).
     */
    String ingressHost()
    {
        final int colon = ingressEndpoint.lastIndexOf(':');
        return colon > 0 ? ingressEndpoint.substring(0, colon).replace("[", "").replace("]", "") : "";
    }
}
