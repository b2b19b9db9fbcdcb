package io.junction.cluster.netns;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Hosts on one machine for tests: N network namespaces, each with an address in 10.213.0.0/24 on a bridge that
 * lives in a namespace of its own, so no address, route or rule is added outside them. Every namespace has the name
 * prefix {@value #PREFIX}; those left by a crashed run are removed first, and {@link #close()} (or the shutdown hook,
 * if the JVM is stopped) removes them and with them every link. Faults are nft rules inside a host's namespace.
 */
public final class NetnsHosts implements AutoCloseable
{
    public static final String PREFIX = "jct-cl-";
    private static final String SWITCH = PREFIX + "sw";
    private static final String BRIDGE = "br0";
    private static final String TABLE = "jct_fault";
    private static final long COMMAND_TIMEOUT_S = 30;

    private final int count;
    private final Thread cleanupHook = new Thread(NetnsHosts::removeAll, "netns-cleanup");
    private boolean closed;

    private NetnsHosts(final int count)
    {
        this.count = count;
    }

    /**
     * Skip the test, with the reason, where namespaces cannot be made (not root, no {@code ip} or {@code nft}).
     */
    public static void assumeAvailable()
    {
        Assumptions.assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"),
            "network namespaces need Linux");
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
            "network namespace tests need root (ip netns add); running as " + System.getProperty("user.name"));
        Assumptions.assumeTrue(onPath("ip"), "network namespace tests need 'ip' (apt-get install iproute2)");
        Assumptions.assumeTrue(onPath("nft"), "network namespace tests need 'nft' (apt-get install nftables)");
    }

    /**
     * Create hosts 0..count-1 (stale namespaces of an earlier run removed first).
     */
    public static NetnsHosts create(final int count)
    {
        assumeAvailable();
        removeAll();
        final NetnsHosts hosts = new NetnsHosts(count);
        Runtime.getRuntime().addShutdownHook(hosts.cleanupHook);
        try
        {
            run("ip", "netns", "add", SWITCH);
            run("ip", "-n", SWITCH, "link", "add", BRIDGE, "type", "bridge");
            run("ip", "-n", SWITCH, "link", "set", BRIDGE, "up");
            for (int i = 0; i < count; i++)
            {
                final String ns = hosts.namespace(i);
                run("ip", "netns", "add", ns);
                run("ip", "-n", SWITCH, "link", "add", "v" + i, "type", "veth", "peer", "name", "eth0", "netns", ns);
                run("ip", "-n", SWITCH, "link", "set", "v" + i, "master", BRIDGE, "up");
                run("ip", "-n", ns, "addr", "add", hosts.address(i) + "/24", "dev", "eth0");
                run("ip", "-n", ns, "link", "set", "eth0", "up");
                run("ip", "-n", ns, "link", "set", "lo", "up");
            }
            return hosts;
        }
        catch (final RuntimeException ex)
        {
            hosts.close();
            throw ex;
        }
    }

    public int count()
    {
        return count;
    }

    public String namespace(final int host)
    {
        return PREFIX + "h" + host;
    }

    public String address(final int host)
    {
        return "10.213.0." + (10 + host);
    }

    /**
     * @return the command prefix that runs a program on the host.
     */
    public List<String> exec(final int host)
    {
        return List.of("ip", "netns", "exec", namespace(host));
    }

    /**
     * Drop every packet between the host and each of the others (both directions), until {@link #heal}.
     */
    public void isolate(final int host, final int... others)
    {
        ensureTable(host);
        for (final int other : others)
        {
            nft(host, "add", "rule", "inet", TABLE, "in", "ip", "saddr", address(other), "drop");
            nft(host, "add", "rule", "inet", TABLE, "out", "ip", "daddr", address(other), "drop");
        }
    }

    /**
     * Drop percent of the packets the host receives and sends, at random.
     */
    public void loss(final int host, final int percent)
    {
        ensureTable(host);
        nft(host, "add", "rule", "inet", TABLE, "in", "numgen", "random", "mod", "100", "<", Integer.toString(percent),
            "drop");
        nft(host, "add", "rule", "inet", TABLE, "out", "numgen", "random", "mod", "100", "<",
            Integer.toString(percent), "drop");
    }

    /**
     * @return true if the kernel has the netem qdisc (delay); many do not (then delay cannot be tested).
     */
    public boolean hasNetem()
    {
        final Result result = execute("ip", "netns", "exec", namespace(0), "tc", "qdisc", "add", "dev", "eth0", "root",
            "netem", "delay", "1ms");
        runQuietly("ip", "netns", "exec", namespace(0), "tc", "qdisc", "del", "dev", "eth0", "root");
        return result.exitCode == 0;
    }

    /**
     * Delay every packet the host sends by the given time (netem; see {@link #hasNetem()}).
     */
    public void delay(final int host, final int millis)
    {
        run("ip", "netns", "exec", namespace(host), "tc", "qdisc", "add", "dev", "eth0", "root", "netem", "delay",
            millis + "ms");
    }

    /**
     * Remove the fault rules of every host.
     */
    public void healAll()
    {
        for (int i = 0; i < count; i++)
        {
            heal(i);
        }
    }

    public void heal(final int host)
    {
        runQuietly("ip", "netns", "exec", namespace(host), "nft", "delete", "table", "inet", TABLE);
        runQuietly("ip", "netns", "exec", namespace(host), "tc", "qdisc", "del", "dev", "eth0", "root");
    }

    private void ensureTable(final int host)
    {
        nft(host, "add", "table", "inet", TABLE);
        nft(host, "add", "chain", "inet", TABLE, "in", "{ type filter hook input priority 0 ; }");
        nft(host, "add", "chain", "inet", TABLE, "out", "{ type filter hook output priority 0 ; }");
    }

    private void nft(final int host, final String... args)
    {
        final List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace(host), "nft"));
        command.addAll(List.of(args));
        run(command.toArray(new String[0]));
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        removeAll();
        try
        {
            Runtime.getRuntime().removeShutdownHook(cleanupHook);
        }
        catch (final IllegalStateException ignore)
        {
            // the JVM is already shutting down and the hook runs
        }
    }

    /**
     * Remove every namespace with the prefix (and so every link in them).
     */
    static void removeAll()
    {
        final String list = runQuietly("ip", "netns", "list");
        for (final String line : list.split("\n"))
        {
            final String name = line.trim().split("\\s+")[0];
            if (name.startsWith(PREFIX))
            {
                runQuietly("ip", "netns", "delete", name);
            }
        }
    }

    private static boolean onPath(final String program)
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":"))
        {
            if (new File(dir, program).canExecute())
            {
                return true;
            }
        }
        return new File("/usr/sbin/" + program).canExecute() || new File("/sbin/" + program).canExecute();
    }

    static String run(final String... command)
    {
        final Result result = execute(command);
        if (result.exitCode != 0)
        {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + result.exitCode + "): " +
                result.output.trim());
        }
        return result.output;
    }

    private static String runQuietly(final String... command)
    {
        return execute(command).output;
    }

    private record Result(int exitCode, String output)
    {
    }

    private static Result execute(final String... command)
    {
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            final byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return new Result(-1, "timed out");
            }
            return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        }
        catch (final IOException ex)
        {
            return new Result(-1, ex.toString());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}
