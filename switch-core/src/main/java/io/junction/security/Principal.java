package io.junction.security;

import java.util.Objects;

/**
 * Who a remote party is once authenticated, and what it may do. The regulated publisher identity of a
 * connection is {@code name() + "/" + instance}, where the instance is a name the client chooses, so no
 * client can claim another principal's name.
 */
public final class Principal
{
    /** The principal of every connection when authentication is off (loopback-only default). */
    public static final Principal ANONYMOUS = new Principal("anonymous", TopicPermissions.ALLOW_ALL);

    private final String name;
    private final TopicPermissions permissions;

    public Principal(final String name, final TopicPermissions permissions)
    {
        this.name = Objects.requireNonNull(name, "name");
        this.permissions = Objects.requireNonNull(permissions, "permissions");
    }

    public String name()
    {
        return name;
    }

    public TopicPermissions permissions()
    {
        return permissions;
    }

    @Override
    public String toString()
    {
        return name;
    }
}
