package io.junction.cluster;

import io.aeron.security.Authenticator;
import io.aeron.security.SessionProxy;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Aeron Cluster {@link Authenticator} for "principal:secret" credentials (US-ASCII) checked against a fixed
 * table. An authenticated session carries its principal, which the clustered service reads from
 * {@code ClientSession.encodedPrincipal()} to apply {@link io.junction.security.PrincipalPermissions}. Runs on the consensus module
 * thread; {@link #rejectedCount()} may be read from any thread.
 */
public final class CredentialsAuthenticator implements Authenticator
{
    private final Map<String, byte[]> secretsByPrincipal;
    private final Long2ObjectHashMap<byte[]> principalBySessionId = new Long2ObjectHashMap<>();
    private final LongHashSet rejectedSessionIds = new LongHashSet();
    private final AtomicLong rejectedCount;

    /**
     * @param secretsByPrincipal principal → secret.
     * @param rejectedCount      counted once per refused connect request; may be shared by several nodes.
     */
    public CredentialsAuthenticator(final Map<String, String> secretsByPrincipal, final AtomicLong rejectedCount)
    {
        this.secretsByPrincipal = new HashMap<>();
        secretsByPrincipal.forEach((p, s) -> this.secretsByPrincipal.put(p, s.getBytes(StandardCharsets.US_ASCII)));
        this.rejectedCount = rejectedCount;
    }

    /**
     * @return credentials as a client sends them.
     */
    public static byte[] encode(final String principal, final String secret)
    {
        return (principal + ":" + secret).getBytes(StandardCharsets.US_ASCII);
    }

    public long rejectedCount()
    {
        return rejectedCount.get();
    }

    public void onConnectRequest(final long sessionId, final byte[] encodedCredentials, final long nowMs)
    {
        final String credentials = null == encodedCredentials ?
            "" : new String(encodedCredentials, StandardCharsets.US_ASCII);
        final int colon = credentials.indexOf(':');
        if (colon > 0)
        {
            final String principal = credentials.substring(0, colon);
            final byte[] expected = secretsByPrincipal.get(principal);
            final byte[] presented = credentials.substring(colon + 1).getBytes(StandardCharsets.US_ASCII);
            if (null != expected && MessageDigest.isEqual(expected, presented))
            {
                principalBySessionId.put(sessionId, principal.getBytes(StandardCharsets.US_ASCII));
                return;
            }
        }
        rejectedSessionIds.add(sessionId);
        rejectedCount.incrementAndGet();
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

    private void decide(final SessionProxy sessionProxy)
    {
        final long sessionId = sessionProxy.sessionId();
        final byte[] principal = principalBySessionId.get(sessionId);
        if (null != principal)
        {
            if (sessionProxy.authenticate(principal))
            {
                principalBySessionId.remove(sessionId);
            }
        }
        else
        {
            rejectedSessionIds.remove(sessionId);
            sessionProxy.reject();
        }
    }
}
