package io.junction.tools;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.agrona.concurrent.status.CountersReader;

import io.junction.SwitchCounters;
import io.junction.journal.JournalCounters;
import io.junction.observe.AlarmEvaluator;
import io.junction.observe.CounterMetrics;
import io.junction.observe.Metric;
import io.junction.observe.SwitchObserver;

/**
 * Every metric the daemon exposes, in one place: each counter type id with its Prometheus family (name,
 * help, type, labels taken from the counter's label) and, where an alarm may watch it, the alarm metric name.
 * The Prometheus exposition, the alarm rules' {@code metric} key and the documentation all read this list.
 */
public final class MetricCatalogue
{
    /** Counters the daemon's metrics exposition allocates itself (ids 1720-1739 are the exposition's). */
    public static final int SERIES_CAPPED_TYPE_ID = 1720;
    public static final int SERIES_FOLDED_TYPE_ID = 1721;

    /** The label value that stands for every unnamed (or capped) subscription in a per-subscription family. */
    public static final String OTHER = "_other";

    /** How a family's series aggregate when an alarm watches the whole family. */
    public enum Aggregate
    {
        SUM, MAX
    }

    public enum Type
    {
        COUNTER, GAUGE
    }

    /**
     * One family.
     *
     * @param name        the family name as exposed (counters end in {@code _total}).
     * @param labels      the counter label's shape: a regex whose named groups are the Prometheus labels;
     *                    null: no labels.
     * @param named       the label that names a subscription (series only for named ones, under a cap); null: none.
     * @param alarmMetric what an alarm rule's {@code metric} key calls this family; null: not watchable.
     * @param scale       exposed value per counter unit (1e-9: a counter of nanoseconds exposed in seconds).
     */
    public record Family(
        int typeId, String name, Type type, String help, Pattern labels, List<String> labelNames, String named,
        String alarmMetric, Aggregate aggregate, double scale)
    {
        /**
         * @return the label values of one counter, in {@link #labelNames()} order, or null when its label does
         * not have the family's shape.
         */
        public String[] labelValues(final String counterLabel)
        {
            if (null == labels)
            {
                return new String[0];
            }
            final Matcher matcher = labels.matcher(counterLabel);
            if (!matcher.matches())
            {
                return null;
            }
            final String[] values = new String[labelNames.size()];
            for (int i = 0; i < values.length; i++)
            {
                final String value = matcher.group(labelNames.get(i));
                values[i] = null == value ? "" : value;
            }
            return values;
        }

        /** The family name without the {@code _total} suffix, as the Prometheus client wants counters named. */
        public String baseName()
        {
            return type == Type.COUNTER && name.endsWith("_total") ? name.substring(0, name.length() - 6) : name;
        }
    }

    /** The latency family (a summary over the last observation interval) and its maximum, by stage. */
    public static final String LATENCY = "junction_latency_seconds";
    public static final String LATENCY_MAX = "junction_latency_max_seconds";
    /** Counters of a type this catalogue does not know (an embedding application's), by type id and label. */
    public static final String OTHER_COUNTERS = "junction_uncatalogued";
    public static final String BUILD_INFO = "junction_build_info";
    public static final String SERIES_CAPPED = "junction_metrics_series_capped_total";
    public static final String SERIES_FOLDED = "junction_metrics_series_folded";

    /** Alarm metrics the daemon computes itself rather than from one counter type. */
    public static final Map<String, String> DERIVED_ALARM_METRICS = Map.of(
        "ring-occupancy", "messages in the shards' rings",
        "disk-free-mb", "usable MB on the data directory's file system",
        "journal-unavailable", "1 while the journal refuses guaranteed publishes",
        "journal-disk-free-mb", "usable MB on the journal's file system",
        "journal-size-mb", "MB of the journal's roll-cycle files",
        "cluster-no-leader", "1 while this cluster member knows no leader",
        "cluster-elections", "elections this member has taken part in",
        "cluster-role", "this member's role: 0 follower, 1 candidate, 2 leader");

    private static final String SHARD = "shard (?<shard>\\d+) ";
    // The name as "(NAME) " or "name=NAME ", both of which the switch has written.
    private static final String SUBSCRIPTION =
        "subscription (?<id>\\d+) '.*?' (?:(?:\\(|name=)(?<subscription>[^)\\s]+)\\)? )?";
    private static final Map<Integer, Family> FAMILIES = new LinkedHashMap<>();
    /** Prometheus wants base units: seconds, not the nanoseconds the counters hold. */
    public static final double NANOS = 1e-9;

    static
    {
        // The switch.
        counter(SwitchCounters.SHARD_DISPATCHED_TYPE_ID, "junction_shard_dispatched_total",
            "Messages dispatched from a shard's ring.", SHARD + "dispatched", null);
        counter(SwitchCounters.SHARD_BACK_PRESSURED_TYPE_ID, "junction_shard_back_pressured_total",
            "Offers refused because a shard's ring was full.", SHARD + "back-pressured offers", "back-pressured");
        counter(SwitchCounters.SHARD_STALLS_TYPE_ID, "junction_shard_stalls_total",
            "Times a shard waited on a back-pressuring subscriber.", SHARD + "stalls on back-pressure subscribers",
            null);
        counter(SwitchCounters.SHARD_DROP_GRACE_WAITS_TYPE_ID, "junction_shard_drop_grace_waits_total",
            "Times a shard held a dropping or DISCONNECT subscriber's full outbox for its drop grace.",
            SHARD + "drop-grace waits", null);
        counter(SwitchCounters.SHARD_DROP_GRACE_EXPIRED_TYPE_ID, "junction_shard_drop_grace_expired_total",
            "Drop graces that ran out with the outbox still full, so the subscriber's policy applied.",
            SHARD + "drop-grace expired", null);
        counter(SwitchCounters.SHARD_ROUTE_ADDITIONS_REFUSED_TYPE_ID, "junction_shard_route_additions_refused_total",
            "Subscribes refused because a shard's route command queue stayed full (route-command-queue-capacity).",
            SHARD + "route additions refused", null);
        counter(SwitchCounters.SHARD_JOURNALED_TYPE_ID, "junction_shard_journaled_total",
            "Guaranteed messages journaled, by shard.", SHARD + "journaled", null);
        counter(SwitchCounters.SHARD_JOURNAL_FAILED_TYPE_ID, "junction_shard_guaranteed_failed_total",
            "Guaranteed messages the journal failed, by shard.", SHARD + "guaranteed failed", "journal-failed");
        counter(SwitchCounters.SHARD_JOURNAL_REFUSED_TYPE_ID, "junction_shard_guaranteed_refused_total",
            "Guaranteed offers refused while the journal was unavailable, by shard.", SHARD + "guaranteed refused: .*",
            null);
        counter(SwitchCounters.OFFER_REJECTED_TYPE_ID, "junction_offer_rejected_total",
            "Offers rejected as invalid, by reason.", "offer rejected: (?<reason>\\S+)", "rejected");
        counter(SwitchCounters.SUBSCRIBE_REJECTED_TYPE_ID, "junction_subscribe_rejected_total",
            "Subscriptions rejected as invalid.", null, null);
        gauge(SwitchCounters.SUBSCRIPTIONS_ACTIVE_TYPE_ID, "junction_subscriptions_active",
            "Subscriptions active.", null, "subscriptions", Aggregate.SUM);
        perSubscription(SwitchCounters.SUBSCRIPTION_DELIVERED_TYPE_ID, "junction_subscription_delivered_total",
            Type.COUNTER, "Messages delivered, by named subscription.", "delivered", "delivered", Aggregate.SUM);
        perSubscription(SwitchCounters.SUBSCRIPTION_DROPPED_TYPE_ID, "junction_subscription_dropped_total",
            Type.COUNTER, "Messages dropped by the slow-subscriber policy, by named subscription.", "dropped",
            null, Aggregate.SUM);
        perSubscription(SwitchCounters.SUBSCRIPTION_FAULTS_TYPE_ID, "junction_subscription_faults_total",
            Type.COUNTER, "Times a subscription's handler threw, by named subscription.", "faults", "faults",
            Aggregate.SUM);
        perSubscription(SwitchCounters.SUBSCRIPTION_RESTARTS_TYPE_ID, "junction_subscription_restarts_total",
            Type.COUNTER, "Times a subscription was restarted after a fault, by named subscription.", "restarts",
            null, Aggregate.SUM);
        counter(DeliveredTotal.TYPE_ID, "junction_delivered_total",
            "Messages delivered by every subscription, named or not (added up each observation interval).", null, null);
        counter(SwitchCounters.SUBSCRIBER_DROPPED_TYPE_ID, "junction_subscriber_dropped_total",
            "Messages dropped at subscribers' outboxes, by class (the lowest class queued is dropped first).",
            "subscriber dropped: (?<class>\\S+)", "dropped");
        counter(SwitchCounters.DELIVERY_STALLS_TYPE_ID, "junction_delivery_stalls_total",
            "Times a delivery agent's handler blocked past delivery-stall-timeout and the agent was replaced.", null,
            null);
        counter(SwitchCounters.SUBSCRIPTIONS_TERMINATED_TYPE_ID, "junction_subscriptions_terminated_total",
            "Subscriptions ended by the switch (slow consumer, restart intensity).", null, "terminated");
        counter(SwitchCounters.ERRORS_TYPE_ID, "junction_errors_total", "Errors in the switch's agents.", null,
            "errors");
        counter(SwitchCounters.OFFER_SHED_TYPE_ID, "junction_offer_shed_total",
            "Offers shed by load regulation, by class and reason.", "offer shed: (?<class>\\S+) (?<reason>\\S+)", "shed");
        add(SwitchCounters.SHARD_QUEUE_DELAY_TYPE_ID, "junction_shard_queue_delay_seconds", Type.GAUGE,
            "Queueing delay seen by each shard's CoDel shedder, seconds.", SHARD + "queue delay ns", null, null, null,
            NANOS);
        gauge(SwitchCounters.SHARD_SHED_LEVEL_TYPE_ID, "junction_shard_shed_level",
            "Each shard's shed level (1024 = one class).", SHARD + "shed level.*", null, null);
        counter(SwitchCounters.OFFER_BACK_PRESSURED_TYPE_ID, "junction_offer_back_pressured_total",
            "Offers back-pressured by a full ring, by class.", "offer back-pressured: (?<class>\\S+)", null);

        counter(SwitchCounters.QUEUE_GROUP_MOVED_TYPE_ID, "junction_queue_group_moved_total",
            "Messages moved from a queue-group member that left to the members that remain.", null, null);
        counter(SwitchCounters.QUEUE_GROUP_DROPPED_ON_MOVE_TYPE_ID, "junction_queue_group_dropped_on_move_total",
            "Messages of a queue-group member that left which the member that was to take them dropped (its " +
            "slow-subscriber policy; also in the per-class subscriber drops).", null, null);

        // The observer and the alarms.
        gauge(SwitchObserver.GAUGE_TYPE_ID, "junction_sampled",
            "Values sampled each observation interval (ring occupancy, disk free MB...), by sample.", "(?<sample>.+)",
            null, null);
        perSubscription(SwitchObserver.SUBSCRIPTION_QUEUE_DEPTH_TYPE_ID, "junction_subscription_queue_depth",
            Type.GAUGE, "Messages waiting in a subscription's outboxes (its lag), by named subscription.",
            "queue depth", null, Aggregate.MAX);
        gauge(SwitchObserver.SUBSCRIPTIONS_QUEUE_DEPTH_MAX_TYPE_ID, "junction_subscriptions_queue_depth_max",
            "The deepest subscription's queue (messages waiting in its outboxes), over every subscription.", null,
            "queue-depth", Aggregate.MAX);
        gauge(SwitchObserver.SUBSCRIPTIONS_QUEUE_DEPTH_TOTAL_TYPE_ID, "junction_subscriptions_queued",
            "Messages waiting in every subscription's outboxes together.", null, null, Aggregate.SUM);
        counter(SwitchObserver.OBSERVER_TYPE_ID, "junction_observer_intervals_total",
            "Observation intervals completed.", null, null);
        gauge(AlarmEvaluator.ALARM_TYPE_ID, "junction_alarm_active", "1 while the alarm is raised, by alarm.",
            "alarm (?<alarm>.+) \\[(?<severity>[A-Z]+)\\]", null, null);

        // The daemon's protocol server.
        gauge(ProtocolServer.CONNECTIONS_TYPE_ID, "junction_protocol_connections", "Protocol clients connected.",
            null, "connections", Aggregate.SUM);
        gauge(PrincipalConnections.CONNECTIONS_TYPE_ID, "junction_protocol_principal_connections",
            "Protocol connections open, by principal (at most http.metrics.max-principal-series; the rest in _other).",
            "protocol connections: principal=(?<principal>.+)", null, null);
        counter(PrincipalConnections.CAPPED_TYPE_ID, "junction_protocol_principal_series_capped_total",
            "Connections counted in principal=\"_other\" because http.metrics.max-principal-series was reached.", null,
            null);
        counter(ProtocolServer.PUBLISHES_TYPE_ID, "junction_protocol_publishes_total",
            "PUBLISH frames accepted by the switch.", null, null);
        counter(ProtocolServer.BAD_FRAMES_TYPE_ID, "junction_protocol_bad_frames_total",
            "Frames that could not be parsed.", null, null);
        counter(ProtocolServer.PUBLISH_FAILURES_TYPE_ID, "junction_protocol_publish_failures_total",
            "PUBLISH frames answered with an ERROR.", null, null);
        counter(ProtocolServer.OFFERED_BY_CLASS_TYPE_ID, "junction_protocol_offered_total",
            "PUBLISH frames offered to the switch, by class.", "protocol offered: (?<class>\\S+)", null);
        counter(ProtocolServer.ACCEPTED_BY_CLASS_TYPE_ID, "junction_protocol_accepted_total",
            "PUBLISH frames accepted by the switch, by class.", "protocol accepted: (?<class>\\S+)", null);
        counter(ProtocolServer.BAD_QOS_TYPE_ID, "junction_protocol_bad_qos_total",
            "PUBLISH frames with an unknown quality of service.", null, null);
        counter(ProtocolServer.DURABLE_ACKS_TYPE_ID, "junction_protocol_durable_total",
            "Guaranteed PUBLISH frames answered DURABLE.", null, null);
        counter(ProtocolServer.CONNECTIONS_ACCEPTED_TYPE_ID, "junction_protocol_connections_accepted_total",
            "Protocol connections accepted.", null, null);
        gauge(ProtocolServer.REMOTE_SUBSCRIPTIONS_TYPE_ID, "junction_protocol_subscriptions",
            "Remote subscriptions held.", null, null, Aggregate.SUM);
        counter(ProtocolServer.ERRORS_SENT_TYPE_ID, "junction_protocol_errors_total",
            "ERROR frames sent (each a refusal), by code.", "protocol errors sent: (?<reason>\\S+)", null);
        counter(ProtocolServer.SUBSCRIBER_DROPS_TYPE_ID, "junction_protocol_subscriber_drops_total",
            "Messages a remote subscriber's policy dropped when its send buffer was full.", null, "dropped");
        counter(ProtocolServer.SLOW_CONSUMERS_TYPE_ID, "junction_protocol_slow_consumers_total",
            "Connections closed by a disconnect-policy subscription.", null, null);
        counter(ProtocolServer.REFUSAL_FRAMES_TYPE_ID, "junction_protocol_coalesced_refusals_total",
            "COALESCED_REFUSAL frames sent (each a run of refused publishes).", null, null);
        counter(ProtocolServer.UNDELIVERED_AT_STOP_TYPE_ID, "junction_protocol_undelivered_at_stop_total",
            "Messages a stop could not deliver to remote subscribers.", null, null);
        counter(ProtocolServer.MESSAGES_SENT_TYPE_ID, "junction_protocol_messages_sent_total",
            "MESSAGE frames sent to remote subscribers.", null, null);
        counter(ProtocolServer.BYTES_RECEIVED_TYPE_ID, "junction_protocol_received_bytes_total",
            "Bytes read from protocol clients.", null, null);
        counter(ProtocolServer.BYTES_SENT_TYPE_ID, "junction_protocol_sent_bytes_total",
            "Bytes written to protocol clients.", null, null);
        counter(ProtocolServer.PINGS_SENT_TYPE_ID, "junction_protocol_pings_sent_total",
            "Heartbeat PINGs sent to silent connections.", null, null);
        counter(ProtocolServer.ACCEPT_FAILURES_TYPE_ID, "junction_protocol_accept_failures_total",
            "accept() failures (e.g. out of file descriptors).", null, null);
        counter(ProtocolServer.AUTHENTICATION_REFUSED_TYPE_ID, "junction_protocol_authentication_refused_total",
            "HELLOs refused, by reason.", "protocol authentication refused: (?<reason>\\S+)", null);
        counter(ProtocolServer.NOT_AUTHORISED_TYPE_ID, "junction_protocol_subscriptions_not_authorised_total",
            "SUBSCRIBEs the principal may not make.", null, null);
        counter(ProtocolServer.PUBLISHES_NOT_AUTHORISED_TYPE_ID, "junction_protocol_publishes_not_authorised_total",
            "PUBLISHes the principal may not make.", null, null);
        counter(ProtocolServer.RESENDS_DURABLE_TYPE_ID, "junction_protocol_resends_durable_total",
            "Idempotent guaranteed resends the journal already had (answered DURABLE, not journaled again).", null, null);
        counter(ProtocolServer.RESENDS_TOO_OLD_TYPE_ID, "junction_protocol_resends_too_old_total",
            "Idempotent guaranteed publishes older than the deduplication window (answered REJECTED).", null, null);
        counter(ProtocolServer.PUBLISHER_TAKEOVERS_TYPE_ID, "junction_protocol_publisher_takeovers_total",
            "Connections closed because a new HELLO took over their principal/instance.", null, null);
        counter(ProtocolServer.REPLY_TOPICS_NOT_CACHED_TYPE_ID, "junction_protocol_reply_topics_not_cached_total",
            "Requests whose reply topic the connection's bounded cache refused (a String each).", null, null);
        counter(ProtocolServer.REQUESTS_TYPE_ID, "junction_protocol_requests_total",
            "Requests (PUBLISHes with a reply topic) the switch accepted.", null, null);
        counter(ProtocolServer.LOST_AT_END_TYPE_ID, "junction_protocol_lost_at_end_total",
            "Messages lost with a connection that closed: queued in its send buffer, or handed to a queue-group " +
            "member as its connection ended.", null, null);
        counter(ProtocolServer.AFTER_END_TYPE_ID, "junction_protocol_after_subscription_end_total",
            "Messages the switch handed a subscription (not in a queue group) after its end, so never sent.", null,
            null);
        counter(ProtocolServer.SUBSCRIBER_DROPS_BY_CLASS_TYPE_ID, "junction_protocol_subscriber_drops_by_class_total",
            "Messages a remote subscriber's policy dropped, by class.", "protocol subscriber drops: (?<class>\\S+)",
            null);
        counter(ProtocolServer.CRITICAL_DROPS_TYPE_ID, "junction_protocol_critical_drops_total",
            "CRITICAL messages a remote subscriber's policy dropped, by cause (NO_CREDIT, SEND_BUFFER_FULL, EVICTED).",
            "protocol critical drops: (?<reason>\\S+)", null);
        counter(ProtocolServer.EXPRESS_SPILLS_TYPE_ID, "junction_protocol_express_spills_total",
            "CRITICAL messages that found their connection's express lane full and went in its send buffer.", null,
            null);
        gauge(ProtocolServer.OUTCOME_WINDOWS_TYPE_ID, "junction_protocol_outcome_windows",
            "Connections holding an outcome window (96 KiB) for guaranteed publishes awaiting their OUTCOME.", null,
            null, Aggregate.SUM);
        counter(ProtocolServer.AGENT_ERRORS_TYPE_ID, "junction_protocol_agent_errors_total",
            "Errors caught on the protocol's I/O agents.", null, "errors");
        counter(ProtocolServer.OUTPUT_PAUSES_TYPE_ID, "junction_protocol_output_pauses_total",
            "Times the server stopped reading a client whose send buffer was full (TCP holds it back).", null, null);
        counter(ServerTls.HANDSHAKES_TYPE_ID, "junction_protocol_tls_handshakes_total",
            "TLS handshakes completed on the protocol port.", null, null);
        counter(ServerTls.FAILURES_TYPE_ID, "junction_protocol_tls_failures_total",
            "TLS connections closed before they could serve, by reason (PLAINTEXT, HANDSHAKE_TIMEOUT, CERTIFICATE, " +
            "HANDSHAKE, PROTOCOL).", "protocol tls failures: (?<reason>\\S+)", null);

        // The daemon's Aeron edge.
        gauge(AeronEdge.SESSIONS_TYPE_ID, "junction_aeron_sessions", "Aeron client sessions open (also counted in " +
            "junction_protocol_connections).", null, null, Aggregate.SUM);
        counter(AeronEdge.SESSIONS_OPENED_TYPE_ID, "junction_aeron_sessions_opened_total",
            "Aeron client sessions whose egress reached the client (then HELLO is awaited).", null, null);
        counter(AeronEdge.HANDSHAKES_REFUSED_TYPE_ID, "junction_aeron_handshakes_refused_total",
            "Aeron clients refused for their first message (no handshake, or a response channel not their own).",
            null, null);
        counter(AeronEdge.SESSIONS_TIMED_OUT_TYPE_ID, "junction_aeron_sessions_timed_out_total",
            "Aeron clients whose egress did not connect within network.hello-timeout.", null, null);
        counter(AeronEdge.SESSIONS_LOST_TYPE_ID, "junction_aeron_sessions_lost_total",
            "Aeron sessions closed because the client's image or the egress to it went away.", null, null);
        counter(AeronEdge.EGRESS_BACK_PRESSURED_TYPE_ID, "junction_aeron_egress_back_pressured_total",
            "Writes to an Aeron client's egress that it back-pressured (the rest waits in its send buffer).", null,
            null);
        counter(AeronEdge.INBOX_FULL_TYPE_ID, "junction_aeron_inbox_full_total",
            "Aeron messages left in the image because the session had not read the ones before.", null, null);
        counter(AeronEdge.SESSIONS_REFUSED_TYPE_ID, "junction_aeron_sessions_refused_total",
            "Aeron clients refused by network.max-connections.", null, null);

        // Durable subscriptions and replays over the protocol, served from the journal.
        gauge(DurableSubscriptions.ACTIVE_TYPE_ID, "junction_protocol_durable_subscriptions",
            "Durable subscriptions and replays served over the protocol.", null, null, Aggregate.SUM);
        counter(DurableSubscriptions.REFUSED_LIMIT_TYPE_ID, "junction_protocol_durable_refused_limit_total",
            "Durable SUBSCRIBEs refused at journal.durable.max-subscriptions.", null, null);
        counter(DurableSubscriptions.REFUSED_IN_USE_TYPE_ID, "junction_protocol_durable_refused_in_use_total",
            "Durable SUBSCRIBEs refused because another connection holds the name.", null, null);
        counter(DurableSubscriptions.AT_LIMIT_TYPE_ID, "junction_protocol_durable_at_max_unacknowledged_total",
            "Times a durable subscription reached journal.durable.max-unacknowledged (delivery paused).", null, null);
        add(DurableSubscriptions.AT_LIMIT_NS_TYPE_ID, "junction_protocol_durable_at_max_unacknowledged_seconds_total",
            Type.COUNTER, "Time durable subscriptions spent paused at journal.durable.max-unacknowledged.", null, null,
            null, Aggregate.SUM, 1e-9);
        counter(DurableSubscriptions.ACKS_TYPE_ID, "junction_protocol_durable_acks_total",
            "ACKs that advanced a durable subscription's position.", null, null);
        counter(DurableSubscriptions.UNMATCHED_ACKS_TYPE_ID, "junction_protocol_durable_acks_unmatched_total",
            "ACKs of a sequence not awaiting acknowledgement (already acknowledged, or never sent).", null, null);
        counter(DurableSubscriptions.DELIVERED_TYPE_ID, "junction_protocol_durable_messages_sent_total",
            "MESSAGE frames sent from the journal to durable subscriptions and replays.", null, null);

        // The journal.
        counter(JournalCounters.APPENDED_TYPE_ID, "junction_journal_appended_total",
            "Records appended to the journal.", null, null);
        counter(JournalCounters.FAULTS_TYPE_ID, "junction_journal_faults_total", "Journal faults.", null,
            "journal-faults");
        counter(JournalCounters.DISK_FULL_TYPE_ID, "junction_journal_disk_full_total",
            "Times the journal's disk fell below its minimum.", null, "journal-disk-full");
        counter(JournalCounters.CORRUPT_RECORDS_TYPE_ID, "junction_journal_corrupt_records_total",
            "Corrupt or truncated journal records found.", null, null);
        counter(JournalCounters.RETENTION_DELETED_CYCLES_TYPE_ID, "junction_journal_retention_deleted_cycles_total",
            "Roll cycles deleted by retention.", null, null);
        counter(JournalCounters.BEHIND_RETENTION_TYPE_ID, "junction_journal_behind_retention_total",
            "Durable subscribers stopped behind retention.", null, null);
        counter(JournalCounters.DURABLE_DELIVERED_TYPE_ID, "junction_journal_durable_delivered_total",
            "Durable messages delivered.", null, null);
        counter(JournalCounters.POSITION_MISMATCH_TYPE_ID, "junction_journal_position_mismatches_total",
            "Durable subscribers whose stored position did not match the journal on resume.", null, null);
        counter(JournalCounters.EXPIRED_DURABLE_TYPE_ID, "junction_journal_expired_durable_total",
            "Guaranteed messages past their time-to-live that durable subscriptions passed over.", null, null);
        counter(JournalCounters.EXPIRED_REPLAY_TYPE_ID, "junction_journal_expired_replay_total",
            "Guaranteed messages past their time-to-live that replays passed over.", null, null);
        gauge(JournalCounters.LAST_RECORD_NUMBER_TYPE_ID, "junction_journal_last_record_number",
            "Record number of the last record journaled (-1: none).", null, "journal-position", Aggregate.MAX);
        gauge(JournalCounters.SIZE_BYTES_TYPE_ID, "junction_journal_size_bytes",
            "Bytes of the journal's roll-cycle files.", null, null, null);
        gauge(JournalCounters.ROLL_CYCLES_TYPE_ID, "junction_journal_roll_cycles",
            "Roll-cycle files the journal holds.", null, "journal-cycles", Aggregate.SUM);
        gauge(JournalCounters.IDEMPOTENT_PUBLISHERS_TYPE_ID, "junction_journal_idempotent_publishers",
            "Idempotent publishers whose deduplication window the journal holds.", null, null, null);
        gauge(JournalCounters.DISK_FREE_BYTES_TYPE_ID, "junction_journal_disk_free_bytes",
            "Usable bytes on the journal's file system.", null, null, null);

        // The daemon as a cluster member, and its gateway to the cluster.
        gauge(DaemonCluster.ROLE_TYPE_ID, "junction_cluster_role",
            "This member's role: 0 follower, 1 candidate, 2 leader.", null, null, null);
        gauge(DaemonCluster.LEADER_MEMBER_ID_TYPE_ID, "junction_cluster_leader_member_id",
            "The leader this member knows, -1: none.", null, null, null);
        counter(DaemonCluster.ELECTIONS_TYPE_ID, "junction_cluster_elections_total",
            "Elections this member has taken part in.", null, null);
        gauge(DaemonCluster.COMMIT_POSITION_TYPE_ID, "junction_cluster_commit_position",
            "The cluster log's commit position.", null, null, null);
        gauge(DaemonCluster.ELECTION_STATE_TYPE_ID, "junction_cluster_election_state",
            "Aeron's ElectionState code (17: closed, no election).", null, null, null);
        gauge(DaemonCluster.MODULE_STATE_TYPE_ID, "junction_cluster_module_state",
            "Aeron's ConsensusModule.State code (1: active).", null, null, null);
        gauge(DaemonCluster.LEADERSHIP_TERM_ID_TYPE_ID, "junction_cluster_leadership_term_id",
            "The current leadership term.", null, null, null);
        gauge(DaemonCluster.MEMBER_ID_TYPE_ID, "junction_cluster_member_id", "This member's id.", null, null, null);
        gauge(DaemonCluster.APPLIED_POSITION_TYPE_ID, "junction_cluster_applied_position",
            "The log position this member's switch service has applied.", null, null, null);
        gauge(DaemonCluster.LAG_TYPE_ID, "junction_cluster_lag_bytes",
            "The commit position less the applied position.", null, null, null);
        counter(ClusterGateway.PUBLISHED_TYPE_ID, "junction_cluster_gateway_published_total",
            "Protocol publishes sent to the cluster.", null, null);
        counter(ClusterGateway.DELIVERED_TYPE_ID, "junction_cluster_gateway_delivered_total",
            "Cluster messages taken by the daemon's switch.", null, null);
        counter(ClusterGateway.DROPPED_TYPE_ID, "junction_cluster_gateway_dropped_total",
            "Cluster messages the daemon's switch did not take.", null, null);
        gauge(ClusterGateway.CONNECTED_TYPE_ID, "junction_cluster_gateway_connected",
            "1 while the gateway's cluster client is connected.", null, null, null);
        counter(ClusterGateway.ERRORS_TYPE_ID, "junction_cluster_gateway_errors_total",
            "Gateway publishes refused or not sent.", null, null);
        counter(ClusterGateway.DURABLE_TYPE_ID, "junction_cluster_gateway_durable_total",
            "Guaranteed gateway publishes the cluster committed (answered DURABLE).", null, null);
        counter(ClusterGateway.SHED_TYPE_ID, "junction_cluster_gateway_shed_total",
            "Gateway publishes shed by the daemon's regulation before replication.", null, null);
        counter(AdminGuard.REFUSED_TYPE_ID, "junction_http_refused_total",
            "HTTP requests refused, by reason: cross-origin, unauthorised, overloaded.",
            "http refused: (?<reason>\\S+)", null);

        counter(Daemon.ERRORS_NOT_RECORDED_TYPE_ID, "junction_errors_not_recorded_total",
            "Errors that found the distinct error log full (still logged).", null, null);

        // The exposition itself.
        counter(SERIES_CAPPED_TYPE_ID, SERIES_CAPPED,
            "Scrapes that folded named series into _other because of http.metrics.max-named-series.", null, null);
        gauge(SERIES_FOLDED_TYPE_ID, SERIES_FOLDED,
            "Named series folded into _other by the cap at the last scrape.", null, null, null);
    }

    private MetricCatalogue()
    {
    }

    private static void counter(
        final int typeId, final String name, final String help, final String labels, final String alarmMetric)
    {
        add(typeId, name, Type.COUNTER, help, labels, null, alarmMetric, Aggregate.SUM, 1);
    }

    private static void gauge(
        final int typeId, final String name, final String help, final String labels, final String alarmMetric,
        final Aggregate aggregate)
    {
        add(typeId, name, Type.GAUGE, help, labels, null, alarmMetric, aggregate, 1);
    }

    private static void perSubscription(
        final int typeId, final String name, final Type type, final String help, final String suffix,
        final String alarmMetric, final Aggregate aggregate)
    {
        add(typeId, name, type, help, SUBSCRIPTION + suffix, "subscription", alarmMetric, aggregate, 1);
    }

    private static void add(
        final int typeId, final String name, final Type type, final String help, final String labels,
        final String named, final String alarmMetric, final Aggregate aggregate, final double scale)
    {
        final Pattern pattern = null == labels ? null : Pattern.compile(labels);
        final List<String> labelNames = new ArrayList<>();
        if (null != named)
        {
            labelNames.add(named);
        }
        else if (null != pattern)
        {
            final Matcher groups = Pattern.compile("\\(\\?<([a-zA-Z][a-zA-Z0-9]*)>").matcher(labels);
            while (groups.find())
            {
                labelNames.add(groups.group(1));
            }
        }
        if (null != FAMILIES.put(typeId, new Family(typeId, name, type, help, pattern, List.copyOf(labelNames),
            named, alarmMetric, aggregate, scale)))
        {
            throw new IllegalStateException("type id " + typeId + " catalogued twice");
        }
    }

    /**
     * @return every family, in catalogue order.
     */
    public static List<Family> families()
    {
        return List.copyOf(FAMILIES.values());
    }

    /**
     * @return the family of a counter type, or null when the catalogue does not know the type.
     */
    public static Family family(final int typeId)
    {
        return FAMILIES.get(typeId);
    }

    /**
     * @return every family name the exposition may write, for the dashboard's and the documentation's checks.
     */
    public static Set<String> familyNames()
    {
        final Set<String> names = new TreeSet<>();
        FAMILIES.values().forEach((f) -> names.add(f.name()));
        names.add(LATENCY);
        names.add(LATENCY + "_count");
        names.add(LATENCY_MAX);
        names.add(OTHER_COUNTERS);
        names.add(BUILD_INFO);
        return Collections.unmodifiableSet(names);
    }

    /**
     * @return the names an alarm rule's {@code metric} key accepts.
     */
    public static Set<String> alarmMetrics()
    {
        final Set<String> names = new TreeSet<>(DERIVED_ALARM_METRICS.keySet());
        FAMILIES.values().stream().filter((f) -> null != f.alarmMetric()).forEach((f) -> names.add(f.alarmMetric()));
        return Collections.unmodifiableSet(names);
    }

    /**
     * @return the alarm metric over the counter families of that name (several families may feed one metric: the
     * switch's and the remote subscribers' drops are both "dropped"), or null when the name is one the daemon derives
     * itself.
     */
    public static Metric alarmMetric(final String name, final CountersReader reader)
    {
        Metric metric = null;
        for (final Family family : FAMILIES.values())
        {
            if (name.equals(family.alarmMetric()))
            {
                final Metric one = family.aggregate() == Aggregate.MAX ?
                    CounterMetrics.maxOfType(reader, family.typeId()) : CounterMetrics.sumOfType(reader, family.typeId());
                final Metric before = metric;
                metric = null == before ? one : (now) -> before.sample(now) + one.sample(now);
            }
        }
        return metric;
    }
}
