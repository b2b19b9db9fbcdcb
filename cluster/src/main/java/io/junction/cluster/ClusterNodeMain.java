package io.junction.cluster;

import org.agrona.concurrent.ShutdownSignalBarrier;

import java.io.File;

/**
 * Runs one member of a Junction cluster until SIGINT/SIGTERM.
 * <pre>
 * java $JVM_FLAGS -cp ... io.junction.cluster.ClusterNodeMain &lt;memberId&gt; [memberCount=3] [basePort=20000]
 *     [baseDir=./junction-cluster] [hostname=localhost]
 * </pre>
 * Member i listens on basePort + 10 * i + {0 ingress, 1 consensus, 2 log, 3 catchup, 4 archive}. It keeps
 * its state under baseDir/member-i and recovers from it on restart. Clients connect with ingress endpoints
 * "0=host:basePort,1=host:basePort+10,2=host:basePort+20".
 */
public final class ClusterNodeMain
{
    private ClusterNodeMain()
    {
    }

    /** Logback's configuration for a member run alone: the libraries' warnings and errors, one line each. */
    static final String LOG_CONFIG = "io/junction/cluster/logback-member.xml";

    public static void main(final String[] args)
    {
        if (null == System.getProperty("logback.configurationFile"))
        {
            System.setProperty("logback.configurationFile", LOG_CONFIG); // before anything logs
        }
        if (args.length < 1)
        {
            System.err.println("usage: ClusterNodeMain <memberId> [memberCount] [basePort] [baseDir] [hostname]");
            System.exit(2);
        }
        final int memberId = Integer.parseInt(args[0]);
        final int memberCount = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        final int basePort = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        final File baseDir = new File(args.length > 3 ? args[3] : "junction-cluster");
        final String hostname = args.length > 4 ? args[4] : "localhost";

        final ClusterNode.Context ctx = new ClusterNode.Context()
            .memberId(memberId)
            .memberCount(memberCount)
            .basePort(basePort)
            .baseDir(baseDir)
            .hostname(hostname)
            .cleanStart(false);

        // The barrier is closed last (after the node): Agrona's shutdown hook waits for that before the JVM exits.
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier(); ClusterNode node = ClusterNode.launch(ctx))
        {
            System.out.println("junction cluster member " + node.memberId() + " of " + memberCount + " started; members " +
                ctx.clusterMembers() + "; clients use ingress endpoints " + ctx.ingressEndpoints());
            barrier.await();
            System.out.println("junction cluster member " + memberId + " stopping");
        }
    }
}
