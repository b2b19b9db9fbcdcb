package io.junction.cluster;

import io.aeron.security.SessionProxy;
import io.junction.security.ConfiguredAuthenticator;
import io.junction.security.PasswordHash;
import io.junction.security.PatternPermissions;
import io.junction.security.TokenHash;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Aeron adapter answers from the hashed credentials, off the thread that calls it.
 */
class CredentialsAuthenticatorTest
{
    private static final ConfiguredAuthenticator CREDENTIALS = ConfiguredAuthenticator.builder()
        .user("alice", PasswordHash.create("s3cret".toCharArray(), 5_000))
        .grant("alice", PatternPermissions.of(List.of("orders.>"), List.of("orders.*")))
        .token(TokenHash.digest("gateway-token".getBytes(StandardCharsets.UTF_8)), "gateway")
        .build();

    @Test
    void passwordsAndTokensAuthenticateAsTheirPrincipals()
    {
        final AtomicLong rejected = new AtomicLong();
        final CredentialsAuthenticator authenticator = new CredentialsAuthenticator(CREDENTIALS, true, rejected);

        assertEquals("authenticated alice", connect(authenticator, 1, CredentialsAuthenticator.encode("alice", "s3cret")));
        assertEquals("authenticated gateway",
            connect(authenticator, 2, CredentialsAuthenticator.encodeToken("gateway-token")));
        assertEquals("rejected", connect(authenticator, 3, CredentialsAuthenticator.encode("alice", "wrong")));
        assertEquals("rejected", connect(authenticator, 4, CredentialsAuthenticator.encode("bob", "s3cret")));
        assertEquals("rejected", connect(authenticator, 5, "no colon".getBytes(StandardCharsets.UTF_8)));
        assertEquals("rejected", connect(authenticator, 6, null));
        assertEquals(4, rejected.get());
    }

    @Test
    void passwordsAreRefusedOnAnInsecureIngressButTokensAreNot()
    {
        final AtomicLong rejected = new AtomicLong();
        final CredentialsAuthenticator authenticator = new CredentialsAuthenticator(CREDENTIALS, false, rejected);
        assertEquals("rejected", connect(authenticator, 1, CredentialsAuthenticator.encode("alice", "s3cret")));
        assertEquals("authenticated gateway",
            connect(authenticator, 2, CredentialsAuthenticator.encodeToken("gateway-token")));
        assertEquals(1, rejected.get());
    }

    /** Connect as Aeron does: one request, then asked each duty cycle until decided. */
    private static String connect(final CredentialsAuthenticator authenticator, final long sessionId, final byte[] credentials)
    {
        final FakeSession session = new FakeSession(sessionId);
        authenticator.onConnectRequest(sessionId, credentials, 0);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).until(() ->
        {
            authenticator.onConnectedSession(session, 0);
            return null != session.decision;
        });
        return session.decision;
    }

    private static final class FakeSession implements SessionProxy
    {
        private final long sessionId;
        private volatile String decision;

        FakeSession(final long sessionId)
        {
            this.sessionId = sessionId;
        }

        public long sessionId()
        {
            return sessionId;
        }

        public boolean challenge(final byte[] encodedChallenge)
        {
            return false;
        }

        public boolean authenticate(final byte[] encodedPrincipal)
        {
            decision = "authenticated " + new String(encodedPrincipal, StandardCharsets.UTF_8);
            return true;
        }

        public void reject()
        {
            decision = "rejected";
        }
    }
}
