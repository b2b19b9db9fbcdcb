package io.junction.cluster.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The client's own address as the cluster sees it, for its egress channel: the members send egress to the address
 * that the client names, so a client on another host must name one they can reach. Found as the local address of
 * the route to the first member that has one (a connected UDP socket sends nothing).
 */
final class LocalAddress
{
    private LocalAddress()
    {
    }

    /**
     * @param ingressEndpoints "id=host:port,...".
     * @return the local address (IPv6 in brackets) of the route to the first member with one.
     * @throws IllegalStateException if no member can be reached.
     */
    static String towardFirstReachable(final String ingressEndpoints)
    {
        final StringBuilder problems = new StringBuilder();
        for (final String entry : ingressEndpoints.split(","))
        {
            final String endpoint = entry.substring(entry.indexOf('=') + 1).trim();
            final int colon = endpoint.lastIndexOf(':');
            if (colon <= 0)
            {
                problems.append(' ').append(endpoint).append(": not host:port;");
                continue;
            }
            final String host = endpoint.substring(0, colon).replace("[", "").replace("]", "");
            try (DatagramSocket socket = new DatagramSocket())
            {
                socket.connect(new InetSocketAddress(host, Integer.parseInt(endpoint.substring(colon + 1))));
                final InetAddress local = socket.getLocalAddress();
                if (null != local && !local.isAnyLocalAddress())
                {
                    return format(local);
                }
                problems.append(' ').append(endpoint).append(": no route;");
            }
            catch (final IOException | RuntimeException ex)
            {
                problems.append(' ').append(endpoint).append(": ").append(ex.getMessage()).append(';');
            }
        }
        throw new IllegalStateException("no member of " + ingressEndpoints + " is reachable to find the client's " +
            "address (set clientAddress or egressChannel):" + problems);
    }

    static String format(final InetAddress address)
    {
        return address instanceof Inet6Address ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
    }

    static String ofHost(final String host)
    {
        try
        {
            return format(InetAddress.getByName(host));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("client address '" + host + "' does not resolve", ex);
        }
    }
}
