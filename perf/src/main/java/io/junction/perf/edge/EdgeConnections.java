package io.junction.perf.edge;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.SlowSubscriberPolicy;
import io.junction.security.Authenticator;
import io.junction.tools.ConnectionFlood;
import io.junction.tools.DaemonConfig;
import io.junction.tools.ProtocolServer;

/**
 * What protocol connections cost the daemon's server: a switch and the protocol server in this JVM (run it with a
 * fixed, pre-touched heap, e.g. {@code -Xms1g -Xmx1g -XX:+AlwaysPreTouch}, so resident memory beyond the heap
 * shows), and N connections from a child JVM ({@link ConnectionFlood}), idle after HELLO or each with one
 * subscription. Prints heap (after GC), direct and mapped buffer memory, and RSS, before and after, per connection;
 * for subscribed connections also after one publish reached every one of them.
 * <p>
 * {@code java -cp junction-perf.jar io.junction.perf.edge.EdgeConnections N idle|subscribed}
 */
public final class EdgeConnections
{
    private EdgeConnections()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if ("clients".equals(args[0]))
        {
            clients(Integer.parseInt(args[1]), Integer.parseInt(args[2]), args[3]);
            return;
        }
        final int connections = Integer.parseInt(args[0]);
        final boolean subscribed = "subscribed".equals(args[1]);
        final int counterCount = 4096 + 6 * connections;
        final CountersManager counters = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(counterCount * CountersReader.METADATA_LENGTH)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(counterCount * CountersReader.COUNTER_LENGTH)));
        try (Junction junction = Junction.launch(new Junction.Context().countersManager(counters));
            ProtocolServer server = new ProtocolServer(junction, counters, DaemonConfig.parse("network { " +
                "max-connections = " + (connections + 100) + ", max-subscriptions = " + (connections + 100) +
                ", heartbeat-interval = 10m, hello-timeout = 120s }").network(), "127.0.0.1", 0,
                SlowSubscriberPolicy.DROP_OLDEST, 1_000_000_000L, 5_000_000_000L, null, Authenticator.OPEN,
                Throwable::printStackTrace, System.out::println))
        {
            final Snapshot before = Snapshot.take();
            System.out.println("before: " + before);
            final List<String> command = new ArrayList<>();
            command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
            command.add("-Xmx1g");
            for (final String flag : ManagementFactory.getRuntimeMXBean().getInputArguments())
            {
                if (flag.startsWith("--add-") || flag.startsWith("-D"))
                {
                    command.add(flag); // Agrona's and Chronicle's module openings
                }
            }
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(EdgeConnections.class.getName());
            command.add("clients");
            command.add(Integer.toString(server.port()));
            command.add(Integer.toString(connections));
            command.add(subscribed ? "edge.>" : "-");
            final Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (BufferedReader out = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)))
            {
                final long startNs = System.nanoTime();
                await(out, "READY");
                System.out.printf("%d connections %s in %.1f s%n", connections, subscribed ? "subscribed" : "idle",
                    (System.nanoTime() - startNs) / 1e9);
                TimeUnit.SECONDS.sleep(2); // they go quiet: buffers back to the pools
                final Snapshot held = Snapshot.take();
                System.out.println("held:   " + held);
                System.out.println("each:   " + held.minus(before).per(connections));
                if (subscribed)
                {
                    final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
                    final long sequence = junction.offer("edge.all", Priority.NORMAL, payload, 0, 64);
                    if (!OfferResult.isAccepted(sequence))
                    {
                        throw new IllegalStateException(OfferResult.describe(sequence));
                    }
                    await(out, "RECEIVED");
                    TimeUnit.SECONDS.sleep(2);
                    final Snapshot delivered = Snapshot.take();
                    System.out.println("after one publish to all: " + delivered);
                    System.out.println("each:   " + delivered.minus(before).per(connections));
                }
            }
            finally
            {
                child.destroyForcibly();
                child.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static void await(final BufferedReader out, final String word) throws Exception
    {
        String line;
        while (null != (line = out.readLine()))
        {
            System.out.println("  clients: " + line);
            if (line.startsWith(word))
            {
                return;
            }
        }
        throw new IllegalStateException("the clients ended before " + word);
    }

    private static void clients(final int port, final int connections, final String pattern) throws Exception
    {
        final boolean subscribe = !"-".equals(pattern);
        try (ConnectionFlood flood = new ConnectionFlood())
        {
            flood.open("127.0.0.1", port, connections, "edge-", subscribe ? pattern : null);
            while (flood.welcomed() < connections || (subscribe && flood.subscribed() < connections))
            {
                flood.poll(10);
            }
            System.out.println("READY " + flood.welcomed() + " welcomed, " + flood.subscribed() + " subscribed");
            while (subscribe && flood.messages() < connections)
            {
                flood.poll(10);
            }
            System.out.println("RECEIVED " + flood.messages());
            while (true)
            {
                flood.poll(100);
            }
        }
    }

    /**
     * @param pss resident memory with each page shared by k mappings counted 1/k (send buffers map one file: RSS
     *            counts its page-cache pages once per mapping, PSS once).
     */
    private record Snapshot(long heap, long direct, long directCount, long mapped, long mappedCount, long rss,
        long pss, long privateDirty)
    {
        static Snapshot take() throws Exception
        {
            // Collect until dropped direct buffers are freed (their cleaner runs after the collection).
            long lastCount = -1;
            for (int i = 0; i < 20; i++)
            {
                System.gc();
                TimeUnit.MILLISECONDS.sleep(250);
                final long count = liveDirectBuffers();
                if (count == lastCount)
                {
                    break;
                }
                lastCount = count;
            }
            long direct = 0;
            long directCount = 0;
            long mapped = 0;
            long mappedCount = 0;
            for (final BufferPoolMXBean bean : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
            {
                if ("direct".equals(bean.getName()))
                {
                    direct = bean.getMemoryUsed();
                    directCount = bean.getCount();
                }
                else if ("mapped".equals(bean.getName()))
                {
                    mapped = bean.getMemoryUsed();
                    mappedCount = bean.getCount();
                }
            }
            long rss = 0;
            long pss = 0;
            long privateDirty = 0;
            for (final String line : Files.readAllLines(Path.of("/proc/self/smaps_rollup")))
            {
                final long kib = line.endsWith("kB") ? Long.parseLong(line.replaceAll("[^0-9]", "")) : 0;
                if (line.startsWith("Rss:"))
                {
                    rss = kib << 10;
                }
                else if (line.startsWith("Pss:"))
                {
                    pss = kib << 10;
                }
                else if (line.startsWith("Private_Dirty:"))
                {
                    privateDirty = kib << 10;
                }
            }
            return new Snapshot(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), direct,
                directCount, mapped, mappedCount, rss, pss, privateDirty);
        }

        private static long liveDirectBuffers()
        {
            for (final BufferPoolMXBean bean : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
            {
                if ("direct".equals(bean.getName()))
                {
                    return bean.getCount();
                }
            }
            return 0;
        }

        Snapshot minus(final Snapshot base)
        {
            return new Snapshot(heap - base.heap, direct - base.direct, directCount - base.directCount,
                mapped - base.mapped, mappedCount - base.mappedCount, rss - base.rss, pss - base.pss,
                privateDirty - base.privateDirty);
        }

        Snapshot per(final int connections)
        {
            return new Snapshot(heap / connections, direct / connections, directCount, mapped / connections,
                mappedCount, rss / connections, pss / connections, privateDirty / connections);
        }

        @Override
        public String toString()
        {
            return String.format("heap %,d B, direct %,d B (%d buffers), mapped %,d B (%d buffers, committed as " +
                "touched), RSS %,d B, PSS %,d B, private dirty %,d B", heap, direct, directCount, mapped, mappedCount,
                rss, pss, privateDirty);
        }
    }
}
