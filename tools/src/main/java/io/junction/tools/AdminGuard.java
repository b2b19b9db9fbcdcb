package io.junction.tools;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;

import com.sun.net.httpserver.HttpExchange;

import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import io.junction.security.PrivateFiles;
import io.junction.security.TokenHash;

/**
 * Who may use the HTTP endpoint. {@code POST /admin/*} needs {@code Authorization: Bearer <admin token>} and is
 * refused when it comes from another origin (an {@code Origin} that is not this endpoint's own host, or
 * {@code Sec-Fetch-Site: cross-site}), so a web page in an operator's browser cannot drive it. Read-only
 * endpoints are open, unless the endpoint is bound off loopback with authentication on: then they need the
 * token too. Each refusal is counted by reason.
 */
final class AdminGuard
{
    /** HTTP requests refused, one counter per reason (label "http refused: &lt;reason&gt;"). */
    static final int REFUSED_TYPE_ID = 1360;

    /** Why a request was refused. */
    enum Refusal
    {
        CROSS_ORIGIN(403), UNAUTHORISED(401), OVERLOADED(503);

        final int status;

        Refusal(final int status)
        {
            this.status = status;
        }

        String label()
        {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** Holds the admin token (0600) while the daemon runs, for {@code junction admin} on this host. */
    static final String TOKEN_FILE = "admin.token";

    private final byte[] tokenDigest;
    private File tokenFile;
    private final boolean tokenForReadOnly;
    private final AtomicCounter[] refused = new AtomicCounter[Refusal.values().length];

    /**
     * @param adminToken       the bearer token; empty: {@code POST /admin/*} is refused to everyone.
     * @param tokenForReadOnly whether the read-only endpoints need it too.
     * @param counters         where the refusal counters go.
     */
    AdminGuard(final String adminToken, final boolean tokenForReadOnly, final CountersManager counters)
    {
        this.tokenDigest = adminToken.isEmpty() ? null : TokenHash.digest(adminToken.getBytes(StandardCharsets.UTF_8));
        this.tokenForReadOnly = tokenForReadOnly;
        for (final Refusal refusal : Refusal.values())
        {
            refused[refusal.ordinal()] = counters.newCounter("http refused: " + refusal.label(), REFUSED_TYPE_ID);
        }
    }

    /**
     * The daemon's guard: the configured admin token, or a random one when none is configured, written to
     * {@code <dir>/admin.token} (0600, removed on close) so {@code junction admin} works for the daemon's user.
     */
    static AdminGuard forDaemon(
        final SecurityConfig security, final String httpHost, final File dir, final CountersManager counters)
        throws IOException
    {
        String token = security.adminToken();
        if (token.isEmpty())
        {
            final byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        }
        final File file = new File(dir, TOKEN_FILE);
        PrivateFiles.writeString(file.toPath(), token + System.lineSeparator());
        final AdminGuard guard = new AdminGuard(token, security.tokenForReadOnly(httpHost), counters);
        guard.tokenFile = file;
        return guard;
    }

    /** @return the token written by a running daemon in its data directory, or null. */
    static String readToken(final File dir) throws IOException
    {
        final File file = new File(dir, TOKEN_FILE);
        return file.isFile() ? Files.readString(file.toPath(), StandardCharsets.UTF_8).trim() : null;
    }

    /**
     * @param admin true for a {@code /admin/*} path.
     * @return null to serve the request, else why it is refused (counted).
     */
    Refusal check(final HttpExchange exchange, final boolean admin)
    {
        Refusal refusal = null;
        if (admin && isCrossOrigin(exchange))
        {
            refusal = Refusal.CROSS_ORIGIN;
        }
        else if ((admin || tokenForReadOnly) && !hasToken(exchange))
        {
            refusal = Refusal.UNAUTHORISED;
        }
        if (null != refusal)
        {
            refused(refusal);
        }
        return refusal;
    }

    void refused(final Refusal refusal)
    {
        refused[refusal.ordinal()].increment();
    }

    long refusedCount(final Refusal refusal)
    {
        return refused[refusal.ordinal()].get();
    }

    void close()
    {
        for (final AtomicCounter counter : refused)
        {
            counter.close();
        }
        if (null != tokenFile)
        {
            tokenFile.delete();
        }
    }

    private boolean hasToken(final HttpExchange exchange)
    {
        final String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (null == tokenDigest || null == authorization ||
            !authorization.regionMatches(true, 0, "Bearer ", 0, "Bearer ".length()))
        {
            return false;
        }
        final byte[] presented = authorization.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
        // Digests compared in constant time: neither the length nor the first wrong byte shows in the timing.
        return MessageDigest.isEqual(tokenDigest, TokenHash.digest(presented));
    }

    static boolean isCrossOrigin(final HttpExchange exchange)
    {
        final String fetchSite = exchange.getRequestHeaders().getFirst("Sec-Fetch-Site");
        if (null != fetchSite && fetchSite.trim().equalsIgnoreCase("cross-site"))
        {
            return true;
        }
        final String origin = exchange.getRequestHeaders().getFirst("Origin");
        if (null == origin)
        {
            return false; // not a browser's cross-origin request (curl, junction admin)
        }
        final String host = exchange.getRequestHeaders().getFirst("Host");
        try
        {
            final URI uri = URI.create(origin.trim());
            if (null == host || null == uri.getHost())
            {
                return true; // "null" origins (sandboxed pages, file://) and requests naming no host
            }
            final int port = -1 != uri.getPort() ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
            return !sameAuthority(uri.getHost(), port, host.trim());
        }
        catch (final IllegalArgumentException ex)
        {
            return true;
        }
    }

    private static boolean sameAuthority(final String originHost, final int originPort, final String hostHeader)
    {
        final int colon = hostHeader.lastIndexOf(':');
        final boolean hasPort = colon > hostHeader.lastIndexOf(']');
        final String host = hasPort ? hostHeader.substring(0, colon) : hostHeader;
        final int port;
        try
        {
            port = hasPort ? Integer.parseInt(hostHeader.substring(colon + 1)) : 80;
        }
        catch (final NumberFormatException ex)
        {
            return false;
        }
        return host.equalsIgnoreCase(originHost) && port == originPort;
    }
}
