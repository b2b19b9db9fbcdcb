package io.junction.security;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@link Authenticator} of a config: users with PBKDF2 password hashes and bearer tokens stored as SHA-256
 * hashes, each naming a principal, and the permissions of each principal. Also the {@link PrincipalPermissions}
 * of those principals, so the cluster's service can look up what an authenticated name may do.
 * <p>
 * A refusal never says whether the user exists: an unknown user costs the same PBKDF2 work as a wrong
 * password and gets the same {@link AuthenticationOutcome.Refusal#BAD_CREDENTIALS}. A password on an insecure
 * transport is refused before it is looked at. Immutable once built, thread-safe.
 */
public final class ConfiguredAuthenticator implements Authenticator, PrincipalPermissions
{
    private final Map<String, PasswordHash> passwordByUser;
    private final byte[][] tokenDigests;
    private final Principal[] tokenPrincipals;
    private final Map<String, Principal> principals;
    /** Checked for an unknown user, so it takes as long as a known one. */
    private final PasswordHash decoy;
    private final AtomicLong passwordChecks = new AtomicLong();

    private ConfiguredAuthenticator(final Builder builder)
    {
        principals = new HashMap<>();
        builder.grants.forEach((name, permissions) -> principals.put(name, new Principal(name, permissions)));
        passwordByUser = new HashMap<>(builder.users);
        for (final String user : passwordByUser.keySet())
        {
            principals.computeIfAbsent(user, (name) -> new Principal(name, PatternPermissions.NONE));
        }
        tokenDigests = builder.tokenDigests.toArray(new byte[0][]);
        tokenPrincipals = new Principal[tokenDigests.length];
        for (int i = 0; i < tokenDigests.length; i++)
        {
            tokenPrincipals[i] = principals.computeIfAbsent(
                builder.tokenPrincipals.get(i), (name) -> new Principal(name, PatternPermissions.NONE));
        }
        int iterations = PasswordHash.MIN_ITERATIONS;
        for (final PasswordHash hash : passwordByUser.values())
        {
            iterations = Math.max(iterations, hash.iterations());
        }
        final char[] random = Long.toHexString(System.nanoTime() ^ 0x5DEECE66DL).toCharArray();
        decoy = passwordByUser.isEmpty() ? PasswordHash.create(random, PasswordHash.MIN_ITERATIONS) :
            PasswordHash.create(random, iterations);
    }

    public static Builder builder()
    {
        return new Builder();
    }

    public AuthenticationOutcome authenticate(
        final AuthenticationMethod method, final String user, final byte[] secret, final boolean secureTransport)
    {
        switch (method)
        {
            case PASSWORD:
                return secureTransport ? checkPassword(user, secret) :
                    AuthenticationOutcome.refused(AuthenticationOutcome.Refusal.INSECURE_TRANSPORT);
            case TOKEN:
                return checkToken(secret);
            case CLIENT_CERTIFICATE:
                return checkCertificate(user);
            default:
                return AuthenticationOutcome.refused(AuthenticationOutcome.Refusal.METHOD_NOT_ALLOWED);
        }
    }

    public TopicPermissions permissionsOf(final String principal)
    {
        final Principal known = null == principal ? null : principals.get(principal);
        return null == known ? PatternPermissions.NONE : known.permissions();
    }

    /** @return the principal of that name as configured, or null. */
    public Principal principal(final String name)
    {
        return principals.get(name);
    }

    /** How many PBKDF2 checks were run (known and unknown users alike). */
    public long passwordChecks()
    {
        return passwordChecks.get();
    }

    /**
     * @param commonName the CN of the verified certificate's subject, found by the network edge (never what the
     *                   client claims); null when it showed none.
     */
    private static AuthenticationOutcome refusedCertificate(final String commonName)
    {
        return AuthenticationOutcome.refused(null == commonName ?
            AuthenticationOutcome.Refusal.NO_CLIENT_CERTIFICATE :
            AuthenticationOutcome.Refusal.UNKNOWN_CERTIFICATE_SUBJECT);
    }

    private AuthenticationOutcome checkCertificate(final String commonName)
    {
        final Principal known = null == commonName ? null : principals.get(commonName);
        return null == known ? refusedCertificate(commonName) : AuthenticationOutcome.accepted(known);
    }

    private AuthenticationOutcome checkPassword(final String user, final byte[] secret)
    {
        final PasswordHash known = null == user ? null : passwordByUser.get(user);
        final char[] password = decodeUtf8(secret);
        try
        {
            passwordChecks.incrementAndGet();
            final boolean matches = (null == known ? decoy : known).matches(null == password ? new char[0] : password);
            return null != known && null != password && matches ?
                AuthenticationOutcome.accepted(principals.get(user)) :
                AuthenticationOutcome.refused(AuthenticationOutcome.Refusal.BAD_CREDENTIALS);
        }
        finally
        {
            if (null != password)
            {
                Arrays.fill(password, '\0');
            }
        }
    }

    private AuthenticationOutcome checkToken(final byte[] secret)
    {
        final byte[] digest = TokenHash.digest(null == secret ? new byte[0] : secret);
        Principal found = null;
        for (int i = 0; i < tokenDigests.length; i++)
        {
            // Every entry is compared, in constant time, so timing does not tell how far a guess got.
            if (MessageDigest.isEqual(tokenDigests[i], digest) && null == found)
            {
                found = tokenPrincipals[i];
            }
        }
        return null != found ? AuthenticationOutcome.accepted(found) :
            AuthenticationOutcome.refused(AuthenticationOutcome.Refusal.BAD_CREDENTIALS);
    }

    /** @return the chars, or null for bytes that are not UTF-8 (refused like a wrong password). */
    private static char[] decodeUtf8(final byte[] secret)
    {
        if (null == secret)
        {
            return null;
        }
        try
        {
            final CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(secret));
            final char[] password = new char[chars.remaining()];
            chars.get(password);
            Arrays.fill(chars.array(), '\0');
            return password;
        }
        catch (final CharacterCodingException ex)
        {
            return null;
        }
    }

    public static final class Builder
    {
        private final Map<String, PasswordHash> users = new HashMap<>();
        private final List<byte[]> tokenDigests = new ArrayList<>();
        private final List<String> tokenPrincipals = new ArrayList<>();
        private final Map<String, TopicPermissions> grants = new HashMap<>();

        private Builder()
        {
        }

        /** A user who proves itself with a password; its principal has the user's name. */
        public Builder user(final String name, final PasswordHash passwordHash)
        {
            requireName(name);
            if (null != users.putIfAbsent(name, passwordHash))
            {
                throw new IllegalArgumentException("user \"" + name + "\" configured twice");
            }
            return this;
        }

        /** A bearer token (its SHA-256 digest) that authenticates as the principal. */
        public Builder token(final byte[] tokenDigest, final String principal)
        {
            requireName(principal);
            if (tokenDigest.length != 32)
            {
                throw new IllegalArgumentException("token digest must be 32 bytes");
            }
            tokenDigests.add(tokenDigest.clone());
            tokenPrincipals.add(principal);
            return this;
        }

        /** What the principal may publish and subscribe to; a principal with no grant may do nothing. */
        public Builder grant(final String principal, final TopicPermissions permissions)
        {
            requireName(principal);
            grants.put(principal, permissions);
            return this;
        }

        public ConfiguredAuthenticator build()
        {
            return new ConfiguredAuthenticator(this);
        }

        private static void requireName(final String name)
        {
            if (null == name || name.isEmpty() || name.indexOf(':') >= 0 || name.indexOf('/') >= 0)
            {
                throw new IllegalArgumentException("principal name must be non-empty without ':' or '/': \"" +
                    name + "\"");
            }
        }
    }
}
