package io.junction.cluster.netns;

import io.junction.cluster.ClusterNodeMain;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/**
 * Three (or more) cluster members, each a {@link ClusterNodeMain} JVM on a host of its own, and a client
 * ({@link NsClientMain}) on one more, as the README's "three machines" instructions run them. Who leads is read from
 * the members' role log lines, as an operator would.
 */
public final class NsCluster implements AutoCloseable
{
    public static final int PORT = 20_000;
    private static final Pattern ROLE_LINE =
        Pattern.compile("junction cluster member (\\d+): role (\\w+), term (-?\\d+), leader (\\w+)");

    private final NetnsHosts hosts;
    private final int memberCount;
    private final File baseDir;
    private final String members;
    private final NsProcess[] processes;
    private final AtomicReferenceArray<String> lastRole;
    private final AtomicReferenceArray<String> lastLeader;
    private final List<NsProcess> exited = new ArrayList<>();
    private final History history = new History();
    private NsProcess client;

    public NsCluster(final int memberCount, final File baseDir)
    {
        this.memberCount = memberCount;
        this.baseDir = baseDir;
        this.processes = new NsProcess[memberCount];
        this.lastRole = new AtomicReferenceArray<>(memberCount);
        this.lastLeader = new AtomicReferenceArray<>(memberCount);
        this.hosts = NetnsHosts.create(memberCount + 1);
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < memberCount; i++)
        {
            sb.append(i == 0 ? "" : "|").append(i).append('=').append(hosts.address(i)).append(':').append(PORT);
        }
        members = sb.toString();
    }

    public NetnsHosts hosts()
    {
        return hosts;
    }

    public int clientHost()
    {
        return memberCount;
    }

    public String ingressEndpoints()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < memberCount; i++)
        {
            sb.append(i == 0 ? "" : ",").append(i).append('=').append(hosts.address(i)).append(':').append(PORT);
        }
        return sb.toString();
    }

    public NsCluster startAll()
    {
        for (int i = 0; i < memberCount; i++)
        {
            start(i);
        }
        return this;
    }

    public void start(final int member)
    {
        lastRole.set(member, null);
        lastLeader.set(member, null);
        processes[member] = NsProcess.startJava(hosts, member, "member-" + member, (line) -> onMemberLine(member, line),
            ClusterNodeMain.class, "--member-id", Integer.toString(member), "--members", members,
            "--dir", baseDir.getAbsolutePath());
    }

    private void onMemberLine(final int member, final String line)
    {
        final Matcher matcher = ROLE_LINE.matcher(line);
        if (matcher.find() && Integer.parseInt(matcher.group(1)) == member)
        {
            lastRole.set(member, matcher.group(2));
            lastLeader.set(member, matcher.group(4));
        }
    }

    /**
     * Start the client on its own host, subscribed to the test's topic.
     */
    public NsProcess startClient()
    {
        client = NsProcess.startJava(hosts, clientHost(), "client", history::onLine, NsClientMain.class,
            ingressEndpoints(), new File(baseDir, "client").getAbsolutePath());
        return client;
    }

    public NsProcess client()
    {
        return client;
    }

    public History history()
    {
        return history;
    }

    public NsProcess member(final int member)
    {
        return processes[member];
    }

    public boolean isRunning(final int member)
    {
        return null != processes[member] && processes[member].isAlive();
    }

    /**
     * @return the member that says it leads and that a majority (counting itself) names as leader.
     */
    public int awaitLeader(final Duration timeout)
    {
        return awaitLeaderOtherThan(-1, timeout);
    }

    /**
     * @return a leader other than the one given, as {@link #awaitLeader}.
     */
    public int awaitLeaderOtherThan(final int previous, final Duration timeout)
    {
        final int[] leader = { -1 };
        try
        {
            await().atMost(timeout).pollInterval(Duration.ofMillis(20)).until(() ->
            {
                leader[0] = agreedLeader(previous);
                return leader[0] >= 0;
            });
        }
        catch (final RuntimeException ex)
        {
            throw new AssertionError("no leader (other than " + previous + ") within " + timeout + ":\n" + outputs(),
                ex);
        }
        return leader[0];
    }

    /**
     * Wait until every running member knows the same leader (a restarted member has caught up with the term).
     */
    public void awaitAllFollow(final int leader, final Duration timeout)
    {
        awaitOrFail(timeout, "every member to follow " + leader, () ->
        {
            for (int i = 0; i < memberCount; i++)
            {
                if (isRunning(i) && !Integer.toString(leader).equals(lastLeader.get(i)))
                {
                    return false;
                }
            }
            return true;
        });
    }

    /**
     * Wait until every running member names the same leader and that leader says it leads (after a fault heals,
     * more elections may run first).
     *
     * @return the leader.
     */
    public int awaitAgreement(final Duration timeout)
    {
        final int[] leader = { -1 };
        awaitOrFail(timeout, "every member to follow one leader", () ->
        {
            String agreed = null;
            for (int i = 0; i < memberCount; i++)
            {
                if (isRunning(i))
                {
                    final String named = lastLeader.get(i);
                    if (null == named || "none".equals(named) || (null != agreed && !agreed.equals(named)))
                    {
                        return false;
                    }
                    agreed = named;
                }
            }
            final int id = null == agreed ? -1 : Integer.parseInt(agreed);
            leader[0] = id;
            return id >= 0 && isRunning(id) && "LEADER".equals(lastRole.get(id));
        });
        return leader[0];
    }

    /**
     * @return the member's last logged role (null before its first role line).
     */
    public String role(final int member)
    {
        return lastRole.get(member);
    }

    /**
     * @return the leader the member last logged ("none" while it knows none).
     */
    public String leaderOf(final int member)
    {
        return lastLeader.get(member);
    }

    /**
     * Wait for the condition, failing with every process's output.
     */
    public void awaitOrFail(final Duration timeout, final String what, final java.util.concurrent.Callable<Boolean> condition)
    {
        try
        {
            await().atMost(timeout).pollInterval(Duration.ofMillis(20)).until(condition);
        }
        catch (final RuntimeException ex)
        {
            throw new AssertionError("waited " + timeout + " for " + what + ":\n" + outputs(), ex);
        }
    }

    public int agreedLeader(final int except)
    {
        for (int i = 0; i < memberCount; i++)
        {
            if (i != except && isRunning(i) && "LEADER".equals(lastRole.get(i)))
            {
                int votes = 0;
                for (int j = 0; j < memberCount; j++)
                {
                    if (isRunning(j) && Integer.toString(i).equals(lastLeader.get(j)))
                    {
                        votes++;
                    }
                }
                if (votes > memberCount / 2)
                {
                    return i;
                }
            }
        }
        return -1;
    }

    public void sigkill(final int member)
    {
        processes[member].sigkill();
        exited.add(processes[member]);
        processes[member] = null;
    }

    /**
     * @return the member's exit code after a SIGTERM.
     */
    public int sigterm(final int member)
    {
        final NsProcess process = processes[member];
        process.sigterm();
        process.awaitExit();
        exited.add(process);
        processes[member] = null;
        return process.exitValue();
    }

    public String outputs()
    {
        final StringBuilder sb = new StringBuilder();
        for (final NsProcess process : exited)
        {
            sb.append(process.output()).append('\n');
        }
        for (final NsProcess process : processes)
        {
            if (null != process)
            {
                sb.append(process.output()).append('\n');
            }
        }
        if (null != client)
        {
            final List<String> lines = client.lines();
            sb.append("client (last 40 of ").append(lines.size()).append(" lines):\n  ")
                .append(String.join("\n  ", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
        }
        return sb.toString();
    }

    @Override
    public void close()
    {
        try
        {
            if (null != client)
            {
                client.close();
            }
            for (final NsProcess process : processes)
            {
                if (null != process)
                {
                    process.close();
                }
            }
        }
        finally
        {
            hosts.close();
        }
    }
}
