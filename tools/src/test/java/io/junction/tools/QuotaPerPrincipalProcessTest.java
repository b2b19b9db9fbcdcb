package io.junction.tools;

import static io.junction.tools.ClientTestSupport.pollUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.junction.Priority;
import io.junction.client.ClientContext;
import io.junction.client.ClientSubscription;
import io.junction.client.JunctionClient;
import io.junction.client.PublishOutcome;
import io.junction.security.PasswordHash;

/**
 * Quotas per principal through a real daemon child process: one rule, {@code principal = "*"}, gives each
 * authenticated principal its own token bucket. mallory, spoofing alice's HELLO (her instance name, and her
 * publisher name as his instance), floods; he is shed at his rate while alice's messages, well under hers, are all
 * admitted, and the daemon names him {@code mallory/...} whatever he claims.
 */
class QuotaPerPrincipalProcessTest
{
    private static final int RATE = 200;
    private static final int BURST = 100;

    @RegisterExtension
    final DaemonChild daemon = DaemonChild.withClientTestConfig();

    private JunctionClient client(final ClientContext ctx)
    {
        final JunctionClient client = JunctionClient.connect(ctx.reconnect(false));
        daemon.closeAfter(client);
        return client;
    }

    @Test
    void aSpoofingPrincipalIsShedAtHisOwnRateAndLeavesTheOthersQuotaAlone() throws Exception
    {
        final String aliceHash = PasswordHash.create("a-secret".toCharArray(), 2_000).encoded();
        final String malloryHash = PasswordHash.create("m-secret".toCharArray(), 2_000).encoded();
        daemon.start("security {",
            "  authentication = required",
            "  users = [ { name = alice, password-hash = \"" + aliceHash + "\", publish = [\">\"], subscribe = [\">\"] },",
            "    { name = mallory, password-hash = \"" + malloryHash + "\", publish = [\">\"] } ]",
            "}",
            "regulation.rules = [ { pattern = \"quota.>\", principal = \"*\", rate = " + RATE + ", burst = " + BURST +
                " } ]");
        final String url = "tcp://127.0.0.1:" + daemon.port();

        final AtomicLong aliceRefused = new AtomicLong();
        final AtomicLong malloryShed = new AtomicLong();
        final AtomicLong malloryRefused = new AtomicLong();
        final io.junction.client.RefusalListener malloryRefusals = (count, outcome, code) ->
        {
            malloryRefused.addAndGet(count);
            if (PublishOutcome.SHED == outcome)
            {
                malloryShed.addAndGet(count);
            }
        };
        final JunctionClient alice = client(new ClientContext().url(url).instance("app")
            .credentials("alice", "a-secret".toCharArray())
            .refusalListener((count, outcome, code) -> aliceRefused.addAndGet(count)));
        final long[] received = new long[2];
        final ClientSubscription all = alice.subscribe("quota.>", (message) ->
            received[message.topic().equals("quota.alice") ? 0 : 1]++);
        pollUntil(() -> alice.isConnected() && all.isInEffect(), alice::lastError, alice);
        assertEquals("alice/app", alice.publisher());

        // mallory claims alice's instance name, and (as his instance) her publisher name.
        final JunctionClient mallory = client(new ClientContext().url(url).instance("app")
            .credentials("mallory", "m-secret".toCharArray())
            .refusalListener(malloryRefusals));
        pollUntil(mallory::isConnected, mallory::lastError, alice, mallory);
        assertEquals("mallory/app", mallory.publisher(), "the WELCOME names the authenticated principal");
        // The client library refuses a '/' in an instance name; a hand-made HELLO is sent anyway.
        final ProtocolClient raw = ProtocolClient.raw("127.0.0.1", daemon.port());
        daemon.closeAfter(raw);
        final FrameRecorder spoofed = new FrameRecorder(raw);
        daemon.closeAfter(spoofed);
        raw.hello("alice/app", io.junction.protocol.ProtocolFrames.VERSION, 0,
            io.junction.security.AuthenticationMethod.PASSWORD, "mallory",
            "m-secret".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        org.awaitility.Awaitility.await().atMost(ClientTestSupport.TIMEOUT).until(() -> null != spoofed.publisher ||
            !spoofed.errors.isEmpty());
        assertEquals("mallory/alice/app", spoofed.publisher, spoofed.errors::toString);
        assertTrue(alice.isConnected(), "alice's connection is not taken over by a HELLO naming her instance");

        // alice at a tenth of her rate; mallory as fast as his clients go, for the same time.
        final int aliceCount = 100;
        final long intervalNs = TimeUnit.SECONDS.toNanos(1) / (RATE / 10);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[32]);
        final long[] sent = new long[2];
        final long startNs = System.nanoTime();
        final long[] nextNs = { startNs };
        pollUntil(() ->
        {
            final long now = System.nanoTime();
            if (sent[0] < aliceCount && now - nextNs[0] >= 0 &&
                alice.offer("quota.alice", Priority.NORMAL, payload, 0, 16) > 0)
            {
                sent[0]++;
                nextNs[0] = now + intervalNs; // no catching up in bursts after a stall of this process
            }
            for (int i = 0; i < 8; i++)
            {
                if (mallory.offer("quota.mallory", Priority.NORMAL, payload, 0, 16) > 0)
                {
                    sent[1]++;
                }
            }
            return sent[0] == aliceCount;
        }, () -> "alice sent " + sent[0], alice, mallory);
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        pollUntil(() -> received[0] == aliceCount && received[1] + malloryRefused.get() == sent[1],
            () -> "alice received " + received[0] + ", mallory's received " + received[1] + " refused " +
            malloryRefused.get() + " of " + sent[1], alice, mallory);

        assertEquals(0, aliceRefused.get(), "none of alice's messages was shed");
        assertEquals(aliceCount, received[0]);
        assertTrue(malloryShed.get() > 0, "mallory was shed");
        final double malloryAllowed = RATE * (seconds + 2) + BURST;
        assertTrue(received[1] <= malloryAllowed, () -> "mallory got " + received[1] + " through in " + seconds +
            " s; his quota allows " + malloryAllowed);
        assertTrue(sent[1] > malloryAllowed, "the flood was more than his quota: " + sent[1]);
    }
}
