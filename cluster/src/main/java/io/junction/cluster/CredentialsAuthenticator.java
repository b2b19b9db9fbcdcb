package io.junction.cluster;

import io.aeron.security.Authenticator;
import io.aeron.security.SessionProxy;
import io.junction.security.AuthenticationMethod;
import io.junction.security.AuthenticationOutcome;
import io.junction.security.ConfiguredAuthenticator;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Aeron Cluster {@link Authenticator} over a {@link ConfiguredAuthenticator}: the same hashed users and tokens
 * as the daemon. Credentials are "user:password" ({@link #encode}) or ":" followed by a token
 * ({@link #encodeToken}). An authenticated session carries its principal's name, which the clustered service
 * reads from {@code ClientSession.encodedPrincipal()} to apply the principal's permissions.
 * <p>
 * Aeron calls this on the consensus module thread, which must never wait for a deliberately slow PBKDF2
 * check: the check runs on one shared worker thread with a bounded queue, and the session stays pending
 * (Aeron asks again each duty cycle, within its session timeout) until the answer is in. A connect that finds
 * the queue full is rejected and counted. {@link #rejectedCount()} may be read from any thread.
 */
public final class CredentialsAuthenticator implements Authenticator
{
    /** Pending checks beyond this are refused rather than queued without bound. */
    public static final int MAX_PENDING_CHECKS = 64;

    private static final ThreadPoolExecutor CHECKER = checker();

    private final ConfiguredAuthenticator authenticator;
    private final boolean secureTransport;
    private final AtomicLong rejectedCount;
    /** Session id → principal bytes, or {@link #REFUSED}; written by the checker, read by the consensus thread. */
    private final ConcurrentHashMap<Long, byte[]> decisions = new ConcurrentHashMap<>();
    private static final byte[] REFUSED = new byte[0];

    /**
     * @param authenticator   the users, tokens and permissions.
     * @param secureTransport whether the ingress cannot be read by others (IPC, loopback, or a network the
     *                        operator trusts): Aeron UDP is not encrypted, so passwords are refused otherwise.
     * @param rejectedCount   counted once per refused connect request; may be shared by several nodes.
     */
    public CredentialsAuthenticator(
        final ConfiguredAuthenticator authenticator, final boolean secureTransport, final AtomicLong rejectedCount)
    {
        this.authenticator = authenticator;
        this.secureTransport = secureTransport;
        this.rejectedCount = rejectedCount;
    }

    /** @return password credentials as a client sends them. */
    public static byte[] encode(final String user, final String password)
    {
        return (user + ":" + password).getBytes(StandardCharsets.UTF_8);
    }

    /** @return token credentials as a client sends them. */
    public static byte[] encodeToken(final String token)
    {
        return (":" + token).getBytes(StandardCharsets.UTF_8);
    }

    public long rejectedCount()
    {
        return rejectedCount.get();
    }

    public void onConnectRequest(final long sessionId, final byte[] encodedCredentials, final long nowMs)
    {
        final byte[] credentials = null == encodedCredentials ? new byte[0] : encodedCredentials.clone();
        try
        {
            if (decisions.size() > 4 * MAX_PENDING_CHECKS)
            {
                decisions.clear(); // answers for sessions Aeron timed out before asking; pending ones time out too
            }
            CHECKER.execute(() -> decisions.put(sessionId, check(credentials)));
        }
        catch (final RejectedExecutionException ex)
        {
            Arrays.fill(credentials, (byte)0);
            decisions.put(sessionId, REFUSED);
        }
    }

    public void onChallengeResponse(final long sessionId, final byte[] encodedCredentials, final long nowMs)
    {
        onConnectRequest(sessionId, encodedCredentials, nowMs);
    }

    public void onConnectedSession(final SessionProxy sessionProxy, final long nowMs)
    {
        decide(sessionProxy);
    }

    public void onChallengedSession(final SessionProxy sessionProxy, final long nowMs)
    {
        decide(sessionProxy);
    }

    private byte[] check(final byte[] credentials)
    {
        try
        {
            int colon = -1;
            for (int i = 0; i < credentials.length && colon < 0; i++)
            {
                colon = credentials[i] == ':' ? i : -1;
            }
            if (colon < 0)
            {
                return REFUSED;
            }
            final byte[] secret = Arrays.copyOfRange(credentials, colon + 1, credentials.length);
            final AuthenticationOutcome outcome = colon == 0 ?
                authenticator.authenticate(AuthenticationMethod.TOKEN, null, secret, secureTransport) :
                authenticator.authenticate(AuthenticationMethod.PASSWORD,
                    new String(credentials, 0, colon, StandardCharsets.UTF_8), secret, secureTransport);
            Arrays.fill(secret, (byte)0);
            return outcome.isAccepted() ? outcome.principal().name().getBytes(StandardCharsets.UTF_8) : REFUSED;
        }
        finally
        {
            Arrays.fill(credentials, (byte)0);
        }
    }

    private void decide(final SessionProxy sessionProxy)
    {
        final long sessionId = sessionProxy.sessionId();
        final byte[] principal = decisions.get(sessionId);
        if (null == principal)
        {
            return; // still being checked
        }
        if (REFUSED == principal)
        {
            decisions.remove(sessionId);
            rejectedCount.incrementAndGet();
            sessionProxy.reject();
        }
        else if (sessionProxy.authenticate(principal))
        {
            decisions.remove(sessionId);
        }
    }

    private static ThreadPoolExecutor checker()
    {
        final ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(MAX_PENDING_CHECKS), (runnable) ->
            {
                final Thread thread = new Thread(runnable, "junction-credentials-check");
                thread.setDaemon(true);
                return thread;
            });
        executor.allowCoreThreadTimeOut(true); // no thread left behind while nobody connects
        return executor;
    }
}
