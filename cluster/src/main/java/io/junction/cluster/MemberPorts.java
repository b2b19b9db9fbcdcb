package io.junction.cluster;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * A member's UDP ports checked before it starts: Aeron binds some of them on its own agent threads, where a clash is
 * only logged, and reports the others in a driver error that names neither the member nor the port's use. Free when
 * looked at: the member binds them a moment later.
 */
public final class MemberPorts
{
    private MemberPorts()
    {
    }

    /**
     * @throws IllegalStateException naming the first port another socket holds: "member 0's archive port
     * localhost:20004 (UDP) is in use: Address already in use".
     */
    public static void refuseInUse(final ClusterMembers.Member self)
    {
        for (int index = 0; index < ClusterMembers.ENDPOINTS; index++)
        {
            final String endpoint = self.endpoint(index);
            final String host = endpoint.substring(0, endpoint.lastIndexOf(':'));
            final int port = self.port(index);
            final InetAddress address;
            try
            {
                address = InetAddress.getByName(host);
            }
            catch (final UnknownHostException ex)
            {
                throw new IllegalStateException("member " + self.id() + "'s host '" + host + "' is unknown");
            }
            try (DatagramSocket socket = new DatagramSocket(null))
            {
                socket.bind(new InetSocketAddress(address, port));
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException("member " + self.id() + "'s " + ClusterMembers.ENDPOINT_NAMES[index] +
                    " port " + host + ":" + port + " (UDP) is in use: " + ex.getMessage());
            }
        }
    }
}
