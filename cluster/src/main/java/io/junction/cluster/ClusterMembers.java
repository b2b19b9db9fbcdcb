package io.junction.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the members of a cluster are: for each member id its ingress, consensus, log, catchup and archive endpoints
 * (host:port, UDP). Entries are separated by '|' and each is either Aeron's form
 * {@code id,ingress,consensus,log,catchup,archive} or the short form {@code id=host:port}, which places the five
 * endpoints on that host at port, port+1 .. port+4. {@link #layout} is the one-host shorthand (member i at
 * basePort + 10 * i). Parsing refuses, with a message naming the entry: a duplicate id, a bad host:port, a wrong
 * number of fields, an endpoint used twice.
 */
public final class ClusterMembers
{
    /** Endpoints of one member, in Aeron's order. */
    public static final String[] ENDPOINT_NAMES = { "ingress", "consensus", "log", "catchup", "archive" };
    public static final int ENDPOINTS = ENDPOINT_NAMES.length;
    /** Ports per member in the one-host layout. */
    public static final int LAYOUT_PORTS_PER_MEMBER = 10;

    private final List<Member> members;

    /**
     * One member: its id and its endpoints (host:port), in {@link #ENDPOINT_NAMES} order.
     */
    public record Member(int id, String host, List<String> endpoints, List<Integer> ports)
    {
        public String endpoint(final int index)
        {
            return endpoints.get(index);
        }

        public int port(final int index)
        {
            return ports.get(index);
        }

        public String ingress()
        {
            return endpoints.get(0);
        }
    }

    private ClusterMembers(final List<Member> members)
    {
        this.members = Collections.unmodifiableList(members);
    }

    /**
     * @throws IllegalArgumentException naming the problem and the entry it is in.
     */
    public static ClusterMembers parse(final String text)
    {
        if (null == text || text.isBlank())
        {
            throw new IllegalArgumentException("the member list is empty");
        }
        final List<Member> members = new ArrayList<>();
        final Map<Integer, String> entryById = new HashMap<>();
        final Map<String, Integer> memberByEndpoint = new HashMap<>();
        for (final String rawEntry : text.split("\\|", -1))
        {
            final String entry = rawEntry.trim();
            final Member member = parseEntry(entry);
            final String earlier = entryById.putIfAbsent(member.id(), entry);
            if (null != earlier)
            {
                throw new IllegalArgumentException("duplicate member id " + member.id() + " in '" + entry +
                    "' (already in '" + earlier + "')");
            }
            for (int i = 0; i < ENDPOINTS; i++)
            {
                final Integer other = memberByEndpoint.putIfAbsent(member.endpoint(i), member.id());
                if (null != other)
                {
                    throw new IllegalArgumentException("endpoint " + member.endpoint(i) + " is used twice (member " +
                        other + " and member " + member.id() + "'s " + ENDPOINT_NAMES[i] + ")");
                }
            }
            members.add(member);
        }
        members.sort((a, b) -> Integer.compare(a.id(), b.id()));
        return new ClusterMembers(members);
    }

    /**
     * The one-host shorthand: member i of count on host at basePort + 10 * i + 0..4.
     */
    public static ClusterMembers layout(final String host, final int basePort, final int count)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            sb.append(i == 0 ? "" : "|").append(i).append('=').append(hostPort(host, basePort + i * LAYOUT_PORTS_PER_MEMBER));
        }
        return parse(sb.toString());
    }

    private static Member parseEntry(final String entry)
    {
        if (entry.isEmpty())
        {
            throw new IllegalArgumentException("empty member entry (two '|' in a row, or one at an end)");
        }
        final int equals = entry.indexOf('=');
        final List<String> endpoints = new ArrayList<>(ENDPOINTS);
        final List<Integer> ports = new ArrayList<>(ENDPOINTS);
        final String idText;
        String host;
        if (equals > 0 && entry.indexOf(',') < 0)
        {
            idText = entry.substring(0, equals).trim();
            final String endpoint = entry.substring(equals + 1).trim();
            host = host(endpoint, entry);
            final int port = port(endpoint, entry);
            if (port + ENDPOINTS - 1 > 65535)
            {
                throw new IllegalArgumentException("bad port in '" + entry + "': the member's five ports " + port +
                    "-" + (port + ENDPOINTS - 1) + " must be at most 65535");
            }
            for (int i = 0; i < ENDPOINTS; i++)
            {
                endpoints.add(hostPort(host, port + i));
                ports.add(port + i);
            }
        }
        else
        {
            final String[] fields = entry.split(",", -1);
            if (fields.length != ENDPOINTS + 1)
            {
                throw new IllegalArgumentException("member entry '" + entry + "' has " + fields.length +
                    " fields: expected id,ingress,consensus,log,catchup,archive (or id=host:port)");
            }
            idText = fields[0].trim();
            host = null;
            for (int i = 0; i < ENDPOINTS; i++)
            {
                final String endpoint = fields[i + 1].trim();
                final String endpointHost = host(endpoint, entry);
                ports.add(port(endpoint, entry));
                endpoints.add(endpoint);
                if (null == host)
                {
                    host = endpointHost;
                }
                else if (!host.equals(endpointHost))
                {
                    throw new IllegalArgumentException("member entry '" + entry + "' names two hosts (" + host +
                        " and " + endpointHost + "): a member's endpoints are on one host");
                }
            }
        }
        final int id;
        try
        {
            id = Integer.parseInt(idText);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("bad member id '" + idText + "' in '" + entry + "': not a number");
        }
        if (id < 0)
        {
            throw new IllegalArgumentException("bad member id " + id + " in '" + entry + "': must be 0 or more");
        }
        return new Member(id, host, List.copyOf(endpoints), List.copyOf(ports));
    }

    private static String host(final String endpoint, final String entry)
    {
        final int colon = endpoint.lastIndexOf(':');
        final String host = colon < 0 ? "" : endpoint.substring(0, colon);
        if (colon < 0 || host.isEmpty() || host.chars().anyMatch(Character::isWhitespace) ||
            host.indexOf('=') >= 0 || host.indexOf('/') >= 0)
        {
            throw new IllegalArgumentException("bad host:port '" + endpoint + "' in '" + entry + "'");
        }
        return host;
    }

    private static int port(final String endpoint, final String entry)
    {
        final String portText = endpoint.substring(endpoint.lastIndexOf(':') + 1);
        final int port;
        try
        {
            port = Integer.parseInt(portText);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("bad host:port '" + endpoint + "' in '" + entry + "': port '" +
                portText + "' is not a number");
        }
        if (port < 1 || port > 65535)
        {
            throw new IllegalArgumentException("bad host:port '" + endpoint + "' in '" + entry + "': port " + port +
                " is not in 1..65535");
        }
        return port;
    }

    private static String hostPort(final String host, final int port)
    {
        return host + ":" + port;
    }

    /**
     * @throws IllegalArgumentException if no member has the id.
     */
    public Member member(final int id)
    {
        for (final Member member : members)
        {
            if (member.id() == id)
            {
                return member;
            }
        }
        throw new IllegalArgumentException("member id " + id + " is not in the member list (ids " + ids() + ")");
    }

    public boolean contains(final int id)
    {
        return members.stream().anyMatch((m) -> m.id() == id);
    }

    public List<Member> members()
    {
        return members;
    }

    public int size()
    {
        return members.size();
    }

    public String ids()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Member member : members)
        {
            sb.append(sb.length() == 0 ? "" : ",").append(member.id());
        }
        return sb.toString();
    }

    /**
     * @return Aeron's cluster-members string: {@code id,ingress,consensus,log,catchup,archive|...}.
     */
    public String toAeronString()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Member member : members)
        {
            sb.append(sb.length() == 0 ? "" : "|").append(member.id());
            for (final String endpoint : member.endpoints())
            {
                sb.append(',').append(endpoint);
            }
        }
        return sb.toString();
    }

    /**
     * @return what a client passes as ingress endpoints: {@code id=host:port,...}.
     */
    public String ingressEndpoints()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Member member : members)
        {
            sb.append(sb.length() == 0 ? "" : ",").append(member.id()).append('=').append(member.ingress());
        }
        return sb.toString();
    }

    @Override
    public String toString()
    {
        return toAeronString();
    }
}
