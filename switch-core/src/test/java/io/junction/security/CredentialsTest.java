package io.junction.security;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.junction.security.AuthenticationMethod.PASSWORD;
import static io.junction.security.AuthenticationMethod.TOKEN;
import static io.junction.security.AuthenticationOutcome.Refusal.BAD_CREDENTIALS;
import static io.junction.security.AuthenticationOutcome.Refusal.INSECURE_TRANSPORT;
import static io.junction.security.AuthenticationOutcome.Refusal.METHOD_NOT_ALLOWED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CredentialsTest
{
    private static final int FAST = 2_000;

    @Test
    void passwordHashRoundTripsThroughItsConfigForm()
    {
        final PasswordHash hash = PasswordHash.create("correct horse".toCharArray(), FAST);
        final String encoded = hash.encoded();
        assertTrue(encoded.startsWith("pbkdf2-sha256$2000$"), encoded);
        assertEquals(4, encoded.split("\\$").length);

        final PasswordHash parsed = PasswordHash.parse(encoded);
        assertTrue(parsed.matches("correct horse".toCharArray()));
        assertFalse(parsed.matches("correct horsf".toCharArray()));
        assertFalse(parsed.matches(new char[0]));
        assertEquals(encoded, parsed.encoded());
    }

    @Test
    void defaultIterationsAndAFreshSaltEachTime()
    {
        final PasswordHash a = PasswordHash.create("same".toCharArray());
        final PasswordHash b = PasswordHash.create("same".toCharArray());
        assertEquals(PasswordHash.DEFAULT_ITERATIONS, a.iterations());
        assertTrue(a.encoded().startsWith("pbkdf2-sha256$310000$"));
        assertNotEquals(a.encoded(), b.encoded(), "per-hash salt");
        assertTrue(b.matches("same".toCharArray()));
    }

    @Test
    void badHashTextIsNamedNotEchoed()
    {
        final String secretish = "pbkdf2-sha256$10$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";
        final IllegalArgumentException cheap = assertThrows(IllegalArgumentException.class,
            () -> PasswordHash.parse(secretish));
        assertTrue(cheap.getMessage().contains("iterations 10"), cheap.getMessage());
        assertFalse(cheap.getMessage().contains("c2FsdHNhbHQ"));
        assertThrows(IllegalArgumentException.class, () -> PasswordHash.parse("plaintext"));
        assertThrows(IllegalArgumentException.class, () -> PasswordHash.parse("pbkdf2-sha256$x$y$z"));
        assertThrows(IllegalArgumentException.class, () -> TokenHash.parse("sha256$c2hvcnQ"));
        assertThrows(IllegalArgumentException.class, () -> TokenHash.parse("md5$abc"));
    }

    @Test
    void usersAndTokensAuthenticateAsTheirPrincipals()
    {
        final ConfiguredAuthenticator authenticator = authenticator();

        final AuthenticationOutcome alice = authenticator.authenticate(PASSWORD, "alice", utf8("s3cret"), true);
        assertTrue(alice.isAccepted(), alice.toString());
        assertEquals("alice", alice.principal().name());
        assertTrue(alice.principal().permissions().mayPublish("orders.eu"));
        assertFalse(alice.principal().permissions().mayPublish("audit.x"));

        final AuthenticationOutcome service = authenticator.authenticate(TOKEN, null, utf8("tok-123456"), false);
        assertTrue(service.isAccepted(), "a token needs no secure transport to be checked");
        assertEquals("metrics", service.principal().name());
        assertTrue(service.principal().permissions().maySubscribe("metrics.>"));
        assertSame(service.principal(), authenticator.principal("metrics"));

        assertEquals(BAD_CREDENTIALS, authenticator.authenticate(TOKEN, null, utf8("tok-123457"), true).refusal());
        assertEquals(METHOD_NOT_ALLOWED,
            authenticator.authenticate(AuthenticationMethod.NONE, null, null, true).refusal());
        assertSame(PatternPermissions.NONE, authenticator.permissionsOf("mallory"));
        assertTrue(authenticator.permissionsOf("alice").maySubscribe("orders.eu"));
    }

    @Test
    void wrongPasswordAndUnknownUserAreIndistinguishable()
    {
        final ConfiguredAuthenticator authenticator = authenticator();
        final long before = authenticator.passwordChecks();

        final AuthenticationOutcome wrong = authenticator.authenticate(PASSWORD, "alice", utf8("s3creT"), true);
        final AuthenticationOutcome unknown = authenticator.authenticate(PASSWORD, "mallory", utf8("s3cret"), true);
        final AuthenticationOutcome noUser = authenticator.authenticate(PASSWORD, null, utf8("s3cret"), true);

        assertEquals(BAD_CREDENTIALS, wrong.refusal());
        assertEquals(wrong.toString(), unknown.toString());
        assertEquals(wrong.toString(), noUser.toString());
        assertEquals(before + 3, authenticator.passwordChecks(), "an unknown user costs a PBKDF2 check too");
        assertEquals(BAD_CREDENTIALS,
            authenticator.authenticate(PASSWORD, "alice", new byte[]{ (byte)0xC3, (byte)0x28 }, true).refusal(),
            "bytes that are not UTF-8");
    }

    @Test
    void passwordOnAnInsecureTransportIsRefusedBeforeItIsChecked()
    {
        final ConfiguredAuthenticator authenticator = authenticator();
        final long before = authenticator.passwordChecks();
        assertEquals(INSECURE_TRANSPORT, authenticator.authenticate(PASSWORD, "alice", utf8("s3cret"), false).refusal());
        assertEquals(before, authenticator.passwordChecks());
    }

    @Test
    void namesAreCheckedWhenBuilt()
    {
        assertThrows(IllegalArgumentException.class,
            () -> ConfiguredAuthenticator.builder().user("a:b", PasswordHash.create("x".toCharArray(), FAST)));
        final PasswordHash hash = PasswordHash.create("x".toCharArray(), FAST);
        assertThrows(IllegalArgumentException.class,
            () -> ConfiguredAuthenticator.builder().user("bob", hash).user("bob", hash));
    }

    static ConfiguredAuthenticator authenticator()
    {
        return ConfiguredAuthenticator.builder()
            .user("alice", PasswordHash.parse(PasswordHash.create("s3cret".toCharArray(), FAST).encoded()))
            .grant("alice", PatternPermissions.of(List.of("orders.>"), List.of("orders.*")))
            .token(TokenHash.parse(TokenHash.encode(utf8("tok-123456"))), "metrics")
            .grant("metrics", PatternPermissions.of(List.of(), List.of("metrics.>")))
            .build();
    }

    static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
