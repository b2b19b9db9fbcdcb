package io.junction.perf.cluster;

import io.junction.client.ClientContext;
import io.junction.client.JunctionClient;
import io.junction.cluster.client.ClusterTransport;

/**
 * The benchmarks' clients of a cluster: the client library's {@link JunctionClient} over a {@link ClusterTransport},
 * as an application reaches a cluster.
 */
final class ClusterClients
{
    private ClusterClients()
    {
    }

    /**
     * @param aeronDirectory    the client media driver's.
     * @param endpoints         the members' ingress, {@code id=host:port,...}.
     * @param heartbeatTimeoutNs the members' leader heartbeat timeout (the transport's quorum watch follows it).
     */
    static JunctionClient connect(
        final ClientContext clientContext, final String aeronDirectory, final String endpoints,
        final long heartbeatTimeoutNs)
    {
        final ClusterTransport.Context transport = new ClusterTransport.Context()
            .aeronDirectoryName(aeronDirectory)
            .ingressEndpoints(endpoints)
            .clientAddress("localhost")
            .leaderHeartbeatTimeoutNs(heartbeatTimeoutNs);
        return JunctionClient.connect(clientContext, new ClusterTransport(transport));
    }
}
