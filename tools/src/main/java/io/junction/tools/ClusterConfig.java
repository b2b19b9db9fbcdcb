package io.junction.tools;

import java.time.Duration;
import java.util.List;

import com.typesafe.config.Config;

import io.junction.cluster.ClusterMembers;

import static io.junction.tools.ConfigKeys.bool;
import static io.junction.tools.ConfigKeys.bytes;
import static io.junction.tools.ConfigKeys.checked;
import static io.junction.tools.ConfigKeys.duration;
import static io.junction.tools.ConfigKeys.intAtLeast;
import static io.junction.tools.ConfigKeys.string;

/**
 * This daemon as one member of an Aeron Cluster running the clustered switch ({@code cluster { ... }}): member
 * {@code memberId} of {@code memberCount}, member i's endpoints on {@code hostname} at basePort + 10 * i + 0..4
 * (ingress, consensus, log, catchup, archive), unless {@code members} lists the members on hosts of their own.
 * A restart applies changes.
 *
 * @param dir empty: {@code <data dir>/cluster}.
 * @param members empty for the one-host layout, else a {@link ClusterMembers} list ('|' between entries).
 * @param snapshotInterval cluster time between the leader's scheduled snapshots; zero: none.
 * @param snapshotsKept    the archive keeps the log from the oldest of this many snapshots; 0: no purge.
 * @param purgeFollowerTimeout the leader's purge keeps the log a follower heard from within this still needs.
 * @param minFreeDisk      below this many free bytes for the member journal the member stops.
 * @param recordChecksum   a CRC32 in each frame the member's archive records, so it restarts after a crash mid-write.
 */
public record ClusterConfig(
    boolean enabled, int memberId, int memberCount, String hostname, int basePort, String dir, boolean cleanStart,
    Duration leaderHeartbeatTimeout, Duration leaderHeartbeatInterval, Duration electionTimeout,
    Duration startupCanvassTimeout, boolean gateway, String members, Duration snapshotInterval, int snapshotsKept,
    Duration purgeFollowerTimeout, long minFreeDisk, boolean recordChecksum)
{
    /** Ports per member in the layout, of which the first five are used. */
    public static final int PORTS_PER_MEMBER = 10;
    public static final int PORTS_USED = 5;

    public int port(final int member, final int offset)
    {
        return basePort + member * PORTS_PER_MEMBER + offset;
    }

    /**
     * @return the members: the list of {@code members} (each on its host) or the one-host layout.
     */
    public ClusterMembers memberList()
    {
        return members.isEmpty() ? ClusterMembers.layout(hostname, basePort, memberCount) :
            ClusterMembers.parse(members);
    }

    public ClusterMembers.Member self()
    {
        return memberList().member(memberId);
    }

    static ClusterConfig from(final Config config)
    {
        final List<String> entries = checked("cluster.members", () -> config.getStringList("cluster.members"));
        final String members = String.join("|", entries.stream().map(String::trim).toList());
        final ClusterMembers list;
        if (members.isEmpty())
        {
            list = null;
        }
        else
        {
            try
            {
                list = ClusterMembers.parse(members);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new ConfigException("key 'cluster.members': " + ex.getMessage());
            }
        }
        final int memberCount = null != list ? list.size() : intAtLeast(config, "cluster.member-count", 1, 9);
        final int memberId = checked("cluster.member-id", () -> config.getInt("cluster.member-id"));
        if (null != list && !list.contains(memberId))
        {
            throw new ConfigException("key 'cluster.member-id': " + memberId + " is not in cluster.members (ids " +
                list.ids() + ")");
        }
        if (null == list && (memberId < 0 || memberId >= memberCount))
        {
            throw new ConfigException("key 'cluster.member-id': must be one of the members 0.." + (memberCount - 1) +
                " (cluster.member-count = " + memberCount + "), was " + memberId);
        }
        final int lastPort = 65535 - (memberCount - 1) * ClusterConfig.PORTS_PER_MEMBER - ClusterConfig.PORTS_USED + 1;
        final int basePort = null != list ? checked("cluster.base-port", () -> config.getInt("cluster.base-port")) :
            intAtLeast(config, "cluster.base-port", 1, lastPort);
        final String hostname = string(config, "cluster.hostname").trim();
        if (hostname.isEmpty())
        {
            throw new ConfigException("key 'cluster.hostname': must not be empty");
        }
        final ClusterConfig spec = new ClusterConfig(
            bool(config, "cluster.enabled"),
            memberId,
            memberCount,
            hostname,
            basePort,
            string(config, "cluster.dir"),
            bool(config, "cluster.clean-start"),
            duration(config, "cluster.leader-heartbeat-timeout", true),
            duration(config, "cluster.leader-heartbeat-interval", true),
            duration(config, "cluster.election-timeout", true),
            duration(config, "cluster.startup-canvass-timeout", true),
            bool(config, "cluster.gateway"),
            members,
            duration(config, "cluster.snapshot-interval", false),
            intAtLeast(config, "cluster.snapshots-kept", 0, 1_000),
            duration(config, "cluster.purge-follower-timeout", false),
            bytes(config, "cluster.min-free-disk"),
            bool(config, "cluster.record-checksum"));
        if (spec.enabled())
        {
            refuseClash(spec, "listen.port", checked("listen.port", () -> config.getInt("listen.port")));
            if (bool(config, "http.enabled"))
            {
                refuseClash(spec, "http.port", checked("http.port", () -> config.getInt("http.port")));
            }
        }
        return spec;
    }

    /**
     * The daemon's own ports must not be among the ports of a member on its host.
     */
    private static void refuseClash(final ClusterConfig spec, final String key, final int port)
    {
        final ClusterMembers list = spec.memberList();
        final String host = spec.self().host();
        final String listKey = spec.members().isEmpty() ? "cluster.base-port" : "cluster.members";
        for (final ClusterMembers.Member member : list.members())
        {
            if (0 != port && member.host().equals(host) && member.ports().contains(port))
            {
                throw new ConfigException("key '" + listKey + "': member " + member.id() + "'s ports " +
                    member.port(0) + "-" + member.port(ClusterConfig.PORTS_USED - 1) + " clash with " + key + " = " +
                    port);
            }
        }
    }
}
