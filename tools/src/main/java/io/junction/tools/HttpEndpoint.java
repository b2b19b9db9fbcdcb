package io.junction.tools;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import org.agrona.concurrent.status.CountersReader;

import io.junction.observe.Alarm;
import io.junction.observe.Json;
import io.junction.observe.PrometheusFormat;

/**
 * The daemon's HTTP endpoint (loopback by default): {@code GET /metrics} (Prometheus text),
 * {@code /health/live}, {@code /health/ready}, {@code /alarms} (JSON) and {@code POST /admin/reload}.
 */
public final class HttpEndpoint implements AutoCloseable
{
    /** The daemon's own counter types, as Prometheus families. */
    static final java.util.Map<Integer, String[]> PROTOCOL_FAMILIES = java.util.Map.ofEntries(
        family(ProtocolServer.CONNECTIONS_TYPE_ID,
            "junction_protocol_connections", "gauge", "Protocol clients connected."),
        family(ProtocolServer.PUBLISHES_TYPE_ID,
            "junction_protocol_publishes_total", "counter", "PUBLISH frames accepted by the switch."),
        family(ProtocolServer.BAD_FRAMES_TYPE_ID,
            "junction_protocol_bad_frames_total", "counter", "Frames that could not be parsed."),
        family(ProtocolServer.PUBLISH_FAILURES_TYPE_ID,
            "junction_protocol_publish_failures_total", "counter", "PUBLISH frames answered with an ERROR."),
        family(ProtocolServer.OFFERED_BY_CLASS_TYPE_ID,
            "junction_protocol_offered_total", "counter", "PUBLISH frames offered to the switch, by class."),
        family(ProtocolServer.ACCEPTED_BY_CLASS_TYPE_ID,
            "junction_protocol_accepted_total", "counter", "PUBLISH frames accepted by the switch, by class."),
        family(ProtocolServer.BAD_QOS_TYPE_ID,
            "junction_protocol_bad_qos_total", "counter", "PUBLISH frames with an unknown quality of service."),
        family(ProtocolServer.DURABLE_ACKS_TYPE_ID,
            "junction_protocol_durable_total", "counter", "Guaranteed PUBLISH frames answered DURABLE."),
        family(ProtocolServer.CONNECTIONS_ACCEPTED_TYPE_ID,
            "junction_protocol_connections_accepted_total", "counter", "Protocol connections accepted."),
        family(ProtocolServer.REMOTE_SUBSCRIPTIONS_TYPE_ID,
            "junction_protocol_subscriptions", "gauge", "Remote subscriptions held."),
        family(ProtocolServer.ERRORS_SENT_TYPE_ID,
            "junction_protocol_errors_total", "counter", "ERROR frames sent (each a refusal), by code."),
        family(ProtocolServer.SUBSCRIBER_DROPS_TYPE_ID,
            "junction_protocol_subscriber_drops_total", "counter",
            "Messages a remote subscriber's policy dropped when its send buffer was full."),
        family(ProtocolServer.SLOW_CONSUMERS_TYPE_ID,
            "junction_protocol_slow_consumers_total", "counter", "Connections closed by a disconnect-policy subscription."),
        family(ProtocolServer.REFUSAL_FRAMES_TYPE_ID,
            "junction_protocol_coalesced_refusals_total", "counter", "COALESCED_REFUSAL frames sent (each a run)."),
        family(ProtocolServer.UNDELIVERED_AT_STOP_TYPE_ID,
            "junction_protocol_undelivered_at_stop_total", "counter", "Messages a stop could not deliver."),
        family(ProtocolServer.MESSAGES_SENT_TYPE_ID,
            "junction_protocol_messages_sent_total", "counter", "MESSAGE frames sent to remote subscribers."),
        family(ProtocolServer.BYTES_RECEIVED_TYPE_ID,
            "junction_protocol_received_bytes_total", "counter", "Bytes read from protocol clients."),
        family(ProtocolServer.BYTES_SENT_TYPE_ID,
            "junction_protocol_sent_bytes_total", "counter", "Bytes written to protocol clients."),
        family(ProtocolServer.PINGS_SENT_TYPE_ID,
            "junction_protocol_pings_sent_total", "counter", "Heartbeat PINGs sent to silent connections."),
        family(ProtocolServer.ACCEPT_FAILURES_TYPE_ID,
            "junction_protocol_accept_failures_total", "counter", "accept() failures (e.g. out of file descriptors)."),
        family(ProtocolServer.AUTHENTICATION_REFUSED_TYPE_ID,
            "junction_protocol_authentication_refused_total", "counter", "HELLOs refused, by reason."),
        family(ProtocolServer.NOT_AUTHORISED_TYPE_ID,
            "junction_protocol_subscriptions_not_authorised_total", "counter", "SUBSCRIBEs the principal may not make."),
        family(ProtocolServer.OUTPUT_PAUSES_TYPE_ID,
            "junction_protocol_output_pauses_total", "counter",
            "Times the server stopped reading a client whose send buffer was full (TCP holds it back)."),
        family(ProtocolServer.PUBLISHES_NOT_AUTHORISED_TYPE_ID,
            "junction_protocol_publishes_not_authorised_total", "counter", "PUBLISHes the principal may not make."),
        family(ProtocolServer.AGENT_ERRORS_TYPE_ID,
            "junction_protocol_agent_errors_total", "counter", "Errors caught on the protocol's I/O agents."),
        family(io.junction.SwitchCounters.OFFER_SHED_TYPE_ID,
            "junction_offer_shed_total", "counter", "Offers shed by load regulation, by class and reason."),
        family(io.junction.SwitchCounters.OFFER_BACK_PRESSURED_TYPE_ID,
            "junction_offer_back_pressured_total", "counter", "Offers back-pressured by a full ring, by class."),
        family(io.junction.SwitchCounters.SHARD_QUEUE_DELAY_TYPE_ID,
            "junction_shard_queue_delay_ns", "gauge", "Queueing delay seen by each shard's CoDel shedder, ns."),
        family(io.junction.SwitchCounters.SHARD_SHED_LEVEL_TYPE_ID,
            "junction_shard_shed_level", "gauge", "Each shard's shed level (1024 = one class)."),
        family(io.junction.SwitchCounters.SHARD_JOURNALED_TYPE_ID,
            "junction_shard_journaled_total", "counter", "Guaranteed messages journaled, by shard."),
        family(io.junction.SwitchCounters.SHARD_JOURNAL_FAILED_TYPE_ID,
            "junction_shard_guaranteed_failed_total", "counter", "Guaranteed messages the journal failed, by shard."),
        family(io.junction.SwitchCounters.SHARD_JOURNAL_REFUSED_TYPE_ID,
            "junction_shard_guaranteed_refused_total", "counter", "Guaranteed offers refused, by shard."),
        family(io.junction.journal.JournalCounters.APPENDED_TYPE_ID,
            "junction_journal_appended_total", "counter", "Records appended to the journal."),
        family(io.junction.journal.JournalCounters.FAULTS_TYPE_ID,
            "junction_journal_faults_total", "counter", "Journal faults."),
        family(io.junction.journal.JournalCounters.DISK_FULL_TYPE_ID,
            "junction_journal_disk_full_total", "counter", "Times the journal's disk fell below its minimum."),
        family(io.junction.journal.JournalCounters.CORRUPT_RECORDS_TYPE_ID,
            "junction_journal_corrupt_records_total", "counter", "Corrupt or truncated journal records found."),
        family(io.junction.journal.JournalCounters.RETENTION_DELETED_CYCLES_TYPE_ID,
            "junction_journal_retention_deleted_cycles_total", "counter", "Roll cycles deleted by retention."),
        family(io.junction.journal.JournalCounters.BEHIND_RETENTION_TYPE_ID,
            "junction_journal_behind_retention_total", "counter", "Durable subscribers stopped behind retention."),
        family(io.junction.journal.JournalCounters.DURABLE_DELIVERED_TYPE_ID,
            "junction_journal_durable_delivered_total", "counter", "Durable messages delivered."),
        family(io.junction.journal.JournalCounters.POSITION_MISMATCH_TYPE_ID,
            "junction_journal_position_mismatches_total", "counter",
            "Durable subscribers whose stored position did not match the journal on resume."),
        family(io.junction.journal.JournalCounters.LAST_RECORD_NUMBER_TYPE_ID,
            "junction_journal_last_record_number", "gauge", "Record number of the last record journaled (-1: none)."),
        family(io.junction.journal.JournalCounters.SIZE_BYTES_TYPE_ID,
            "junction_journal_size_bytes", "gauge", "Bytes of the journal's roll-cycle files."),
        family(io.junction.journal.JournalCounters.ROLL_CYCLES_TYPE_ID,
            "junction_journal_roll_cycles", "gauge", "Roll-cycle files the journal holds."),
        family(io.junction.journal.JournalCounters.DISK_FREE_BYTES_TYPE_ID,
            "junction_journal_disk_free_bytes", "gauge", "Usable bytes on the journal's file system."),
        family(DaemonCluster.ROLE_TYPE_ID,
            "junction_cluster_role", "gauge", "This member's role: 0 follower, 1 candidate, 2 leader."),
        family(DaemonCluster.LEADER_MEMBER_ID_TYPE_ID,
            "junction_cluster_leader_member_id", "gauge", "The leader this member knows, -1: none."),
        family(DaemonCluster.ELECTIONS_TYPE_ID,
            "junction_cluster_elections_total", "counter", "Elections this member has taken part in."),
        family(DaemonCluster.COMMIT_POSITION_TYPE_ID,
            "junction_cluster_commit_position", "gauge", "The cluster log's commit position."),
        family(DaemonCluster.ELECTION_STATE_TYPE_ID,
            "junction_cluster_election_state", "gauge", "Aeron's ElectionState code (17: closed, no election)."),
        family(DaemonCluster.MODULE_STATE_TYPE_ID,
            "junction_cluster_module_state", "gauge", "Aeron's ConsensusModule.State code (1: active)."),
        family(DaemonCluster.LEADERSHIP_TERM_ID_TYPE_ID,
            "junction_cluster_leadership_term_id", "gauge", "The current leadership term."),
        family(DaemonCluster.MEMBER_ID_TYPE_ID,
            "junction_cluster_member_id", "gauge", "This member's id."),
        family(ClusterGateway.PUBLISHED_TYPE_ID,
            "junction_cluster_gateway_published_total", "counter", "Protocol publishes sent to the cluster."),
        family(ClusterGateway.DELIVERED_TYPE_ID,
            "junction_cluster_gateway_delivered_total", "counter", "Cluster messages taken by the daemon's switch."),
        family(ClusterGateway.DROPPED_TYPE_ID,
            "junction_cluster_gateway_dropped_total", "counter", "Cluster messages the daemon's switch did not take."),
        family(ClusterGateway.CONNECTED_TYPE_ID,
            "junction_cluster_gateway_connected", "gauge", "1 while the gateway's cluster client is connected."),
        family(ClusterGateway.ERRORS_TYPE_ID,
            "junction_cluster_gateway_errors_total", "counter", "Gateway publishes refused or not sent."));

    private static java.util.Map.Entry<Integer, String[]> family(
        final int typeId, final String name, final String type, final String help)
    {
        return java.util.Map.entry(typeId, new String[]{ name, type, help });
    }

    private final HttpServer server;
    private final ExecutorService executor;

    public HttpEndpoint(
        final String host,
        final int port,
        final CountersReader counters,
        final BooleanSupplier ready,
        final Supplier<List<Alarm>> alarms,
        final Supplier<String> reload) throws IOException
    {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), port), 16);
        executor = Executors.newSingleThreadExecutor((r) ->
        {
            final Thread thread = new Thread(r, "junction-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/metrics", (exchange) ->
            respond(exchange, "GET", 200, "text/plain; version=0.0.4; charset=utf-8",
                () -> PrometheusFormat.format(counters, PROTOCOL_FAMILIES)));
        server.createContext("/health/live", (exchange) ->
            respond(exchange, "GET", 200, "text/plain", () -> "live\n"));
        server.createContext("/health/ready", (exchange) ->
        {
            final boolean isReady = ready.getAsBoolean();
            respond(exchange, "GET", isReady ? 200 : 503, "text/plain", () -> isReady ? "ready\n" : "not ready\n");
        });
        server.createContext("/alarms", (exchange) ->
            respond(exchange, "GET", 200, "application/json", () -> alarmsJson(alarms.get())));
        server.createContext("/admin/reload", (exchange) ->
        {
            final String[] outcome = new String[1];
            final int status;
            if ("POST".equals(exchange.getRequestMethod()))
            {
                outcome[0] = reload.get();
                status = outcome[0].startsWith("reloaded") ? 200 : 400;
            }
            else
            {
                status = 405;
                outcome[0] = "use POST";
            }
            respond(exchange, null, status, "text/plain", () -> outcome[0] + "\n");
        });
        server.start();
    }

    public int port()
    {
        return server.getAddress().getPort();
    }

    static String alarmsJson(final List<Alarm> alarms)
    {
        final StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < alarms.size(); i++)
        {
            sb.append(i > 0 ? "," : "").append(alarms.get(i).toJson());
        }
        return sb.append("]\n").toString();
    }

    private static void respond(
        final HttpExchange exchange, final String method, final int status, final String contentType,
        final Supplier<String> body) throws IOException
    {
        try (exchange)
        {
            if (null != method && !method.equals(exchange.getRequestMethod()))
            {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            final byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(bytes);
            }
        }
        catch (final RuntimeException ex)
        {
            System.err.println("junction: http " + exchange.getRequestURI() + " failed: " + ex);
            throw ex;
        }
    }

    @Override
    public void close()
    {
        server.stop(0);
        executor.shutdownNow();
    }

    static String quote(final String text)
    {
        return Json.quote(text);
    }
}
