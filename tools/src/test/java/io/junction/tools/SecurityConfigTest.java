package io.junction.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.junction.security.AuthenticationMethod;
import io.junction.security.AuthenticationOutcome;
import io.junction.security.Authenticator;
import io.junction.security.PasswordHash;
import io.junction.security.TokenHash;

class SecurityConfigTest
{
    private static final String ALICE_HASH = PasswordHash.create("s3cret".toCharArray(), 2_000).encoded();
    private static final String TOKEN_HASH = TokenHash.encode("svc-token".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path tmp;

    @Test
    void theDefaultIsOpenOnLoopback()
    {
        final SecurityConfig security = DaemonConfig.load(null).security();
        assertFalse(security.authenticationRequired());
        assertSame(Authenticator.OPEN, security.authenticator());
        assertEquals("", security.adminToken());
        assertEquals(null, security.tlsContext(), "TLS off by default");
    }

    @Test
    void usersTokensAndPermissionsBecomeTheAuthenticator() throws Exception
    {
        final SecurityConfig security = DaemonConfig.load(write(
            "security {\n" +
            "  authentication = required\n" +
            "  users = [ { name = alice, password-hash = \"" + ALICE_HASH + "\", publish = [\"orders.>\"] } ]\n" +
            "  tokens = [ { hash = \"" + TOKEN_HASH + "\", principal = svc } ]\n" +
            "  permissions = [ { principal = svc, subscribe = [\">\"], deny-subscribe = [\"secret.>\"] } ]\n" +
            "}\n" +
            "http.admin-token = adm1n\n")).security();
        assertTrue(security.authenticationRequired());
        assertEquals("adm1n", security.adminToken());
        assertFalse(security.toString().contains("adm1n"), "the token stays out of logs");
        assertEquals(security, DaemonConfig.load(write(
            "security {\n" +
            "  authentication = required\n" +
            "  users = [ { name = alice, password-hash = \"" + ALICE_HASH + "\", publish = [\"orders.>\"] } ]\n" +
            "  tokens = [ { hash = \"" + TOKEN_HASH + "\", principal = svc } ]\n" +
            "  permissions = [ { principal = svc, subscribe = [\">\"], deny-subscribe = [\"secret.>\"] } ]\n" +
            "}\n" +
            "http.admin-token = adm1n\n")).security(), "the same section reloaded is no change");
        assertNotEquals(security, DaemonConfig.load(null).security());

        final Authenticator authenticator = security.authenticator();
        final AuthenticationOutcome alice = authenticator.authenticate(
            AuthenticationMethod.PASSWORD, "alice", "s3cret".getBytes(StandardCharsets.UTF_8), true);
        assertTrue(alice.principal().permissions().mayPublish("orders.eu"));
        assertFalse(alice.principal().permissions().maySubscribe("orders.eu"));

        final AuthenticationOutcome svc = authenticator.authenticate(
            AuthenticationMethod.TOKEN, null, "svc-token".getBytes(StandardCharsets.UTF_8), false);
        assertEquals("svc", svc.principal().name());
        assertTrue(svc.principal().permissions().maySubscribe("orders.>"));
        assertFalse(svc.principal().permissions().maySubscribe(">"), "would receive secret.>");

        assertEquals(AuthenticationOutcome.Refusal.INSECURE_TRANSPORT, authenticator.authenticate(
            AuthenticationMethod.PASSWORD, "alice", "s3cret".getBytes(StandardCharsets.UTF_8), false).refusal());
    }

    @Test
    void theAdminTokenCanComeFromAFile() throws Exception
    {
        final Path tokenFile = tmp.resolve("admin.token");
        Files.writeString(tokenFile, "from-file\n");
        assertEquals("from-file",
            DaemonConfig.load(write("http.admin-token-file = \"" + tokenFile + "\"\n")).security().adminToken());
    }

    @Test
    void badSecurityConfigsNameTheKey() throws Exception
    {
        assertProblem("security.authentication = maybe\n", "key 'security.authentication': must be none or required");
        assertProblem("security.authentication = required\n", "nobody could connect");
        assertProblem("security.users = [ { name = a, password-hash = plain } ]\n",
            "key 'security.users[0]': password hash must be pbkdf2-sha256$");
        assertProblem("security.users = [ { name = a, password-hash = \"" + ALICE_HASH + "\", pubish = [] } ]\n",
            "unknown key 'security.users[0].pubish'");
        assertProblem("security.tokens = [ { hash = \"sha256$abc\", principal = svc } ]\n", "key 'security.tokens[0]'");
        assertProblem("security.permissions = [ { principal = a, publish = [\"a..b\"] } ]\n",
            "key 'security.permissions[0]': invalid permission pattern");
        assertProblem("security.permissions = [ { principal = a }, { principal = a } ]\n",
            "key 'security.permissions[1]': permissions of principal 'a' are given more than once");
        assertProblem("http.admin-token = x\nhttp.admin-token-file = y\n", "give one, not both");
        assertProblem("security.tls.enabled = true\n", "key 'security.tls.key-store': must name the daemon's key store");
        assertProblem("security.tls { enabled = true, key-store = \"" + tmp.resolve("missing.p12") + "\" }\n",
            "key 'security.tls': cannot read PKCS12 store");
        assertProblem("security.tls.client-auth = maybe\n", "key 'security.tls.client-auth': must be one of none, want, need");
        assertProblem("http.admin-token-file = \"" + tmp.resolve("missing") + "\"\n", "cannot read");
    }

    @Test
    void protectedModeRefusesAnOpenNonLoopbackBind() throws Exception
    {
        assertProblem("listen.host = \"0.0.0.0\"\n",
            "protected mode: 'listen.host = 0.0.0.0' is not a loopback address");
        assertProblem("http.host = \"0.0.0.0\"\n", "security.allow-unauthenticated-non-loopback = true");
        // Explicitly allowed, or authentication on, or HTTP off: it starts.
        assertEquals("0.0.0.0", DaemonConfig.load(write(
            "listen.host = \"0.0.0.0\"\nsecurity.allow-unauthenticated-non-loopback = true\n")).listen().host());
        assertTrue(DaemonConfig.load(write("http.host = \"0.0.0.0\"\nhttp.enabled = false\n")).http().host()
            .equals("0.0.0.0"));
        final DaemonConfig guarded = DaemonConfig.load(write("listen.host = \"0.0.0.0\"\nhttp.host = \"0.0.0.0\"\n" +
            "security { authentication = required, tokens = [ { hash = \"" + TOKEN_HASH + "\", principal = svc } ] }\n"));
        assertTrue(guarded.security().tokenForReadOnly(guarded.http().host()));
        assertFalse(guarded.security().tokenForReadOnly("127.0.0.1"));
        assertTrue(DaemonConfig.load(write("listen.host = localhost\n")).security() != null);
    }

    @Test
    void loopbackOrTlsIsASecureTransport() throws Exception
    {
        assertTrue(SecurityConfig.isSecureTransport(InetAddress.getByName("127.0.0.1"), false));
        assertTrue(SecurityConfig.isSecureTransport(InetAddress.getByName("::1"), false));
        assertFalse(SecurityConfig.isSecureTransport(InetAddress.getByName("10.1.2.3"), false));
        assertTrue(SecurityConfig.isSecureTransport(InetAddress.getByName("10.1.2.3"), true));
        assertNotEquals(SecurityConfig.isLoopback("0.0.0.0"), SecurityConfig.isLoopback("127.0.0.1"));
    }

    private void assertProblem(final String text, final String expected) throws Exception
    {
        final File file = write(text);
        final ConfigException ex = assertThrows(ConfigException.class, () -> DaemonConfig.load(file));
        assertTrue(ex.getMessage().contains(expected), ex.getMessage());
    }

    private File write(final String text) throws Exception
    {
        final Path file = Files.createTempFile(tmp, "junction", ".conf");
        Files.writeString(file, text);
        return file.toFile();
    }
}
