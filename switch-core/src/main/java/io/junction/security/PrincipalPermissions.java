package io.junction.security;

import java.util.HashMap;
import java.util.Map;

/**
 * The permissions of each principal by name, for a party that knows only the authenticated name (the
 * clustered service reads it from the session's encoded principal). A name with no grant may do nothing.
 */
@FunctionalInterface
public interface PrincipalPermissions
{
    /** No authorisation: everyone may do everything. */
    PrincipalPermissions ALLOW_ALL = (principal) -> TopicPermissions.ALLOW_ALL;

    /**
     * @param principal the authenticated name (may be null or empty).
     * @return its permissions, never null ({@link PatternPermissions#NONE} for an unknown name).
     */
    TopicPermissions permissionsOf(String principal);

    /** A fixed table; names not in it may do nothing. */
    static PrincipalPermissions of(final Map<String, ? extends TopicPermissions> byPrincipal)
    {
        final Map<String, TopicPermissions> copy = new HashMap<>(byPrincipal);
        return (principal) -> null == principal ? PatternPermissions.NONE :
            copy.getOrDefault(principal, PatternPermissions.NONE);
    }
}
