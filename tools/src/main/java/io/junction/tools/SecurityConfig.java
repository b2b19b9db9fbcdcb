package io.junction.tools;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import javax.net.ssl.SSLContext;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;

import io.junction.security.Authenticator;
import io.junction.security.ConfiguredAuthenticator;
import io.junction.security.PasswordHash;
import io.junction.security.PatternPermissions;
import io.junction.security.TlsContexts;
import io.junction.security.TlsSession;
import io.junction.security.TokenHash;

/**
 * The daemon's {@code security { ... }} section and the HTTP admin token, checked in full at load. Gives the
 * network edge its {@link #authenticator()} and enforces protected mode: a port bound to a non-loopback address
 * with authentication off refuses to start unless {@code security.allow-unauthenticated-non-loopback} is set.
 *
 * @param authenticationRequired        {@code security.authentication = required}.
 * @param allowUnauthenticatedNonLoopback lets a non-loopback bind run without authentication.
 * @param authenticator                 {@link Authenticator#OPEN} when authentication is off.
 * @param adminToken                    the bearer token for {@code POST /admin/*} (and for every endpoint when
 *                                      HTTP is bound off loopback with authentication on); empty: none set.
 * @param tlsContext                    TLS for the protocol port ({@code security.tls}), null when off; the network
 *                                      edge wraps each connection in a {@link TlsSession}.
 * @param clientAuth                    whether TLS asks clients for certificates.
 * @param tlsHandshakeTimeout           {@code security.tls.handshake-timeout}: a TLS connection whose handshake is
 *                                      not done by then is closed.
 * @param source                        the {@code security} section as configured: what equality compares (a
 *                                      reload with the same section is no change; a changed one needs a restart).
 */
public record SecurityConfig(
    boolean authenticationRequired,
    boolean allowUnauthenticatedNonLoopback,
    Authenticator authenticator,
    String adminToken,
    SSLContext tlsContext,
    TlsSession.ClientAuth clientAuth,
    String source,
    java.time.Duration tlsHandshakeTimeout)
{
    static final String ALLOW_KEY = "security.allow-unauthenticated-non-loopback";
    static final java.time.Duration DEFAULT_HANDSHAKE_TIMEOUT = java.time.Duration.ofSeconds(10);

    private static final Set<String> USER_KEYS = Set.of(
        "name", "password-hash", "publish", "subscribe", "deny-publish", "deny-subscribe");
    private static final Set<String> TOKEN_KEYS = Set.of(
        "hash", "principal", "publish", "subscribe", "deny-publish", "deny-subscribe");
    private static final Set<String> PERMISSION_KEYS = Set.of(
        "principal", "publish", "subscribe", "deny-publish", "deny-subscribe");

    /** Authentication off, no admin token: the loopback-only default. */
    public static final SecurityConfig OPEN = new SecurityConfig(false, false, Authenticator.OPEN, "", null,
        TlsSession.ClientAuth.NONE, "", DEFAULT_HANDSHAKE_TIMEOUT);

    static SecurityConfig from(final Config config)
    {
        final String mode = read("security.authentication", () -> config.getString("security.authentication")).trim();
        if (!mode.equals("none") && !mode.equals("required"))
        {
            throw new ConfigException("key 'security.authentication': must be none or required, was '" + mode + "'");
        }
        final boolean required = mode.equals("required");
        final ConfiguredAuthenticator.Builder builder = ConfiguredAuthenticator.builder();
        final Set<String> granted = new HashSet<>();
        final int users = users(config, builder, granted);
        final int tokens = tokens(config, builder, granted);
        permissions(config, builder, granted);
        if (required && users + tokens == 0)
        {
            throw new ConfigException("key 'security.authentication' is required but neither security.users nor " +
                "security.tokens names anyone: nobody could connect");
        }
        return new SecurityConfig(
            required,
            read(ALLOW_KEY, () -> config.getBoolean(ALLOW_KEY)),
            required ? builder.build() : Authenticator.OPEN,
            adminToken(config),
            tls(config),
            clientAuth(config),
            config.getValue("security").render(com.typesafe.config.ConfigRenderOptions.concise()),
            handshakeTimeout(config));
    }

    /** @return TLS for the protocol server, or null when {@code security.tls.enabled = false}. */
    ServerTls.Settings serverTls()
    {
        return null == tlsContext ? null : new ServerTls.Settings(tlsContext, clientAuth, tlsHandshakeTimeout);
    }

    /**
     * Protected mode, as Redis has it: binding to a non-loopback address with authentication off would let
     * anyone on the network read and publish everything.
     *
     * @throws ConfigException naming the key that opens the door, and the key that would allow it.
     */
    void checkProtectedMode(final String key, final String host)
    {
        if (!authenticationRequired && !allowUnauthenticatedNonLoopback && !isLoopback(host))
        {
            throw new ConfigException("protected mode: '" + key + " = " + host + "' is not a loopback address and " +
                "security.authentication = none, so anyone who can reach it could read and publish every topic. " +
                "Set security.authentication = required (with security.users or security.tokens), bind to " +
                "127.0.0.1, or set " + ALLOW_KEY + " = true to run open on purpose.");
        }
    }

    /** True when the HTTP read-only endpoints must ask for the admin token too. */
    boolean tokenForReadOnly(final String httpHost)
    {
        return authenticationRequired && !isLoopback(httpHost);
    }

    /**
     * Whether a connection's transport keeps a password from other parties: TLS, or a loopback peer.
     */
    public static boolean isSecureTransport(final InetAddress remote, final boolean tls)
    {
        return tls || (null != remote && remote.isLoopbackAddress());
    }

    static boolean isLoopback(final String host)
    {
        try
        {
            for (final InetAddress address : InetAddress.getAllByName(host))
            {
                if (!address.isLoopbackAddress())
                {
                    return false;
                }
            }
            return true;
        }
        catch (final UnknownHostException ex)
        {
            return false; // not provably loopback: protected
        }
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof SecurityConfig that && source.equals(that.source) && adminToken.equals(that.adminToken);
    }

    @Override
    public int hashCode()
    {
        return source.hashCode();
    }

    @Override
    public String toString()
    {
        return "SecurityConfig[authentication=" + (authenticationRequired ? "required" : "none") +
            ", allowUnauthenticatedNonLoopback=" + allowUnauthenticatedNonLoopback +
            ", adminToken=" + (adminToken.isEmpty() ? "none" : "set") + "]";
    }

    private static int users(final Config config, final ConfiguredAuthenticator.Builder builder, final Set<String> granted)
    {
        final String key = "security.users";
        final List<? extends ConfigObject> entries = read(key, () -> config.getObjectList(key));
        for (int i = 0; i < entries.size(); i++)
        {
            final String at = key + "[" + i + "]";
            final Config entry = entry(entries.get(i), at, USER_KEYS);
            final String name = read(at + ".name", () -> entry.getString("name"));
            final String hash = read(at + ".password-hash", () -> entry.getString("password-hash"));
            try
            {
                builder.user(name, PasswordHash.parse(hash));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new ConfigException("key '" + at + "': " + ex.getMessage());
            }
            grantInline(entry, at, name, builder, granted);
        }
        return entries.size();
    }

    private static int tokens(final Config config, final ConfiguredAuthenticator.Builder builder, final Set<String> granted)
    {
        final String key = "security.tokens";
        final List<? extends ConfigObject> entries = read(key, () -> config.getObjectList(key));
        for (int i = 0; i < entries.size(); i++)
        {
            final String at = key + "[" + i + "]";
            final Config entry = entry(entries.get(i), at, TOKEN_KEYS);
            final String principal = read(at + ".principal", () -> entry.getString("principal"));
            final String hash = read(at + ".hash", () -> entry.getString("hash"));
            try
            {
                builder.token(TokenHash.parse(hash), principal);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new ConfigException("key '" + at + "': " + ex.getMessage());
            }
            grantInline(entry, at, principal, builder, granted);
        }
        return entries.size();
    }

    private static void permissions(final Config config, final ConfiguredAuthenticator.Builder builder, final Set<String> granted)
    {
        final String key = "security.permissions";
        final List<? extends ConfigObject> entries = read(key, () -> config.getObjectList(key));
        for (int i = 0; i < entries.size(); i++)
        {
            final String at = key + "[" + i + "]";
            final Config entry = entry(entries.get(i), at, PERMISSION_KEYS);
            final String principal = read(at + ".principal", () -> entry.getString("principal"));
            grant(entry, at, principal, builder, granted);
        }
    }

    private static void grantInline(
        final Config entry, final String at, final String principal, final ConfiguredAuthenticator.Builder builder,
        final Set<String> granted)
    {
        if (entry.hasPath("publish") || entry.hasPath("subscribe") || entry.hasPath("deny-publish") ||
            entry.hasPath("deny-subscribe"))
        {
            grant(entry, at, principal, builder, granted);
        }
    }

    private static void grant(
        final Config entry, final String at, final String principal, final ConfiguredAuthenticator.Builder builder,
        final Set<String> granted)
    {
        if (!granted.add(principal))
        {
            throw new ConfigException("key '" + at + "': permissions of principal '" + principal +
                "' are given more than once");
        }
        try
        {
            builder.grant(principal, PatternPermissions.builder()
                .allowPublish(list(entry, at, "publish"))
                .allowSubscribe(list(entry, at, "subscribe"))
                .denyPublish(list(entry, at, "deny-publish"))
                .denySubscribe(list(entry, at, "deny-subscribe"))
                .build());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigException("key '" + at + "': " + ex.getMessage());
        }
    }

    private static List<String> list(final Config entry, final String at, final String key)
    {
        return entry.hasPath(key) ? read(at + "." + key, () -> entry.getStringList(key)) : List.of();
    }

    private static Config entry(final ConfigObject object, final String at, final Set<String> keys)
    {
        for (final String key : object.keySet())
        {
            if (!keys.contains(key))
            {
                throw new ConfigException("unknown key '" + at + "." + key + "'; known: " + new TreeSet<>(keys));
            }
        }
        return object.toConfig();
    }

    private static SSLContext tls(final Config config)
    {
        if (!read("security.tls.enabled", () -> config.getBoolean("security.tls.enabled")))
        {
            return null;
        }
        final String keyStore = read("security.tls.key-store", () -> config.getString("security.tls.key-store")).trim();
        if (keyStore.isEmpty())
        {
            throw new ConfigException("key 'security.tls.key-store': must name the daemon's key store when " +
                "security.tls.enabled = true");
        }
        final String trustStore =
            read("security.tls.trust-store", () -> config.getString("security.tls.trust-store")).trim();
        try
        {
            return TlsContexts.create(Path.of(keyStore),
                read("security.tls.key-store-password", () -> config.getString("security.tls.key-store-password"))
                    .toCharArray(),
                trustStore.isEmpty() ? null : Path.of(trustStore),
                read("security.tls.trust-store-password", () -> config.getString("security.tls.trust-store-password"))
                    .toCharArray(),
                read("security.tls.store-type", () -> config.getString("security.tls.store-type")));
        }
        catch (final IOException ex)
        {
            throw new ConfigException("key 'security.tls': " + ex.getMessage());
        }
    }

    private static java.time.Duration handshakeTimeout(final Config config)
    {
        final String key = "security.tls.handshake-timeout";
        final java.time.Duration timeout = read(key, () -> config.getDuration(key));
        if (timeout.toMillis() < 1)
        {
            throw new ConfigException("key '" + key + "': must be at least 1ms, was " + timeout);
        }
        return timeout;
    }

    private static TlsSession.ClientAuth clientAuth(final Config config)
    {
        final String text = read("security.tls.client-auth", () -> config.getString("security.tls.client-auth")).trim();
        try
        {
            return TlsSession.ClientAuth.valueOf(text.toUpperCase(java.util.Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigException("key 'security.tls.client-auth': must be one of none, want, need; was '" +
                text + "'");
        }
    }

    private static String adminToken(final Config config)
    {
        final String token = read("http.admin-token", () -> config.getString("http.admin-token")).trim();
        final String file = read("http.admin-token-file", () -> config.getString("http.admin-token-file")).trim();
        if (!token.isEmpty() && !file.isEmpty())
        {
            throw new ConfigException("keys 'http.admin-token' and 'http.admin-token-file': give one, not both");
        }
        if (file.isEmpty())
        {
            return token;
        }
        try
        {
            final String fromFile = Files.readString(Path.of(file), StandardCharsets.UTF_8).trim();
            if (fromFile.isEmpty())
            {
                throw new ConfigException("key 'http.admin-token-file': " + file + " is empty");
            }
            return fromFile;
        }
        catch (final IOException ex)
        {
            throw new ConfigException("key 'http.admin-token-file': cannot read " + file + ": " + ex);
        }
    }

    private static <T> T read(final String key, final java.util.function.Supplier<T> read)
    {
        try
        {
            return read.get();
        }
        catch (final com.typesafe.config.ConfigException.Missing ex)
        {
            throw new ConfigException("key '" + key + "' is missing");
        }
        catch (final com.typesafe.config.ConfigException ex)
        {
            throw new ConfigException("key '" + key + "': " + ex.getMessage());
        }
    }
}
