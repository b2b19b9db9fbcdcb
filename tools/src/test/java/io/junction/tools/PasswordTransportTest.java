package io.junction.tools;

import static io.junction.tools.ClientTestSupport.pollUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.junction.Junction;
import io.junction.SlowSubscriberPolicy;
import io.junction.client.ClientContext;
import io.junction.client.DisconnectReason;
import io.junction.client.JunctionClient;
import io.junction.security.ConfiguredAuthenticator;
import io.junction.security.PasswordHash;
import io.junction.security.PatternPermissions;

/**
 * No password off loopback without TLS: a plain TCP server bound to every address, with a client coming from this
 * host's non-loopback address (refused, INSECURE_TRANSPORT counted) and from loopback (accepted). Real sockets, an
 * in-process server; skipped on a host with no non-loopback address.
 */
class PasswordTransportTest
{
    private final CountersManager counters = new CountersManager(
        new UnsafeBuffer(new byte[512 * 1024]), new UnsafeBuffer(new byte[128 * 1024]));
    private Junction junction;
    private ProtocolServer server;
    private JunctionClient client;

    @AfterEach
    void cleanUp()
    {
        for (final AutoCloseable resource : new AutoCloseable[]{ client, server, junction })
        {
            if (null != resource)
            {
                try
                {
                    resource.close();
                }
                catch (final Exception ex)
                {
                    throw new AssertionError(ex);
                }
            }
        }
    }

    @Test
    void aPasswordOverPlainTcpFromANonLoopbackAddressIsRefusedAndFromLoopbackAccepted() throws Exception
    {
        final String external = TlsProcessTest.nonLoopbackAddress();
        assumeTrue(null != external, "this host has no non-loopback address");
        junction = Junction.launch(new Junction.Context().countersManager(counters));
        server = new ProtocolServer(junction, counters, DaemonConfig.parse("network { io-agents = 1 }").network(),
            "0.0.0.0", 0, SlowSubscriberPolicy.DROP_NEWEST, 1_000_000_000L, 5_000_000_000L, null,
            ConfiguredAuthenticator.builder()
                .user("alice", PasswordHash.create("s3cret".toCharArray(), PasswordHash.MIN_ITERATIONS))
                .grant("alice", PatternPermissions.of(java.util.List.of(">"), java.util.List.of(">"))).build(),
            Throwable::printStackTrace, System.out::println);

        client = connect(external);
        pollUntil(() -> client.disconnectReason() == DisconnectReason.AUTHENTICATION_FAILED, client::lastError, client);
        assertTrue(client.lastError().contains("INSECURE_TRANSPORT"), client.lastError());
        assertEquals(1, counter("protocol authentication refused: INSECURE_TRANSPORT"));
        client.close();

        client = connect("127.0.0.1");
        pollUntil(client::isConnected, client::lastError, client);
        assertEquals("alice", client.principal());
        assertEquals(1, counter("protocol authentication refused: INSECURE_TRANSPORT"));
    }

    private JunctionClient connect(final String host)
    {
        return JunctionClient.connect(new ClientContext().url("tcp://" + host + ":" + server.port()).reconnect(false)
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(30)).credentials("alice", "s3cret".toCharArray()));
    }

    private long counter(final String label)
    {
        final long[] value = { -1 };
        counters.forEach((id, typeId, key, text) ->
        {
            if (text.equals(label))
            {
                value[0] = counters.getCounterValue(id);
            }
        });
        return value[0];
    }
}
