package io.junction.client;

import io.junction.Priority;
import io.junction.QueueGroupDiscipline;

import io.junction.SlowSubscriberPolicy;
import io.junction.protocol.QueueGroupNames;

/**
 * How a remote subscription behaves: its slow-subscriber policy in the daemon and its flow control. Fluent.
 * <p>
 * Flow control is by credit: the daemon sends at most {@link #initialCredit} messages before the client grants
 * more; with {@link #autoCredit} (the default) the client grants, in one CREDIT frame, what the handler has
 * consumed each time that reaches half the initial credit, so the daemon never has more than the initial credit
 * outstanding. Out of credit, the subscription meets its slow-subscriber policy in the daemon.
 * <p>
 * With a {@link #criticalCredit} window, CRITICAL messages have a credit of their own: they spend only it, the other
 * classes only the initial credit, so a backlog of lower classes cannot leave CRITICAL without credit. The client
 * then grants consumed CRITICAL messages as CRITICAL credit (in the same CREDIT frame), each time either count
 * reaches half its window; the daemon has at most both windows outstanding.
 * <p>
 * With {@link #expressCritical}, CRITICAL messages overtake the lower classes in the client too: the client reads
 * what the connection has into a bounded store of the subscription's messages below CRITICAL, hands each CRITICAL
 * one to the handler as soon as it is read, and goes back to the connection between the stored ones'
 * ({@link ClientContext#expressPollIntervalNs}), so a CRITICAL message that arrives while lower-class work is queued
 * is handled next. Each class keeps its order; the order between classes is not kept.
 * <p>
 * With a {@link #queueGroup}, the subscriptions (on any connection, and embedded ones) with that group name and
 * the same pattern share its messages: each goes to one member. It rejoins the same group after a reconnect.
 * <p>
 * With a {@link #durable} name, or a {@link #startAt} other than latest, the daemon serves it from its journal, so
 * only guaranteed (journaled) messages reach it. A durable subscription's position is kept by the daemon and
 * advanced by {@link ClientSubscription#ack}: after the client or the daemon restarts it resumes after the last
 * acknowledged message (the daemon decides where, not the client), at least once, with no gap. The daemon sends
 * at most {@code journal.durable.max-unacknowledged} messages it has not seen acknowledged.
 */
public final class ClientSubscriptionOptions
{
    public static final long DEFAULT_INITIAL_CREDIT = 4096;
    /** No flow control: the daemon sends as its send buffer allows. */
    public static final long NO_FLOW_CONTROL = -1;
    /** The default bound of an express subscription's store of messages below CRITICAL. */
    public static final int DEFAULT_EXPRESS_BACKLOG_BYTES = 8 << 20;

    private SlowSubscriberPolicy slowSubscriberPolicy;
    private long initialCredit = DEFAULT_INITIAL_CREDIT;
    private boolean autoCredit = true;
    private long criticalCredit;
    private String queueGroup;
    private QueueGroupDiscipline queueGroupDiscipline = QueueGroupDiscipline.BALANCED;
    private String durableName;
    private StartAt startAt = StartAt.latest();
    private boolean autoAck;
    private boolean expressCritical;
    private int expressBacklogBytes = DEFAULT_EXPRESS_BACKLOG_BYTES;

    public static ClientSubscriptionOptions defaults()
    {
        return new ClientSubscriptionOptions();
    }

    /**
     * @param policy null (the default): the daemon's configured policy.
     */
    public ClientSubscriptionOptions slowSubscriberPolicy(final SlowSubscriberPolicy policy)
    {
        this.slowSubscriberPolicy = policy;
        return this;
    }

    public SlowSubscriberPolicy slowSubscriberPolicy()
    {
        return slowSubscriberPolicy;
    }

    /**
     * @param credit messages the daemon may send before the first CREDIT ({@code >= 1}), or
     *               {@link #NO_FLOW_CONTROL}.
     */
    public ClientSubscriptionOptions initialCredit(final long credit)
    {
        if (credit < 1 && credit != NO_FLOW_CONTROL)
        {
            throw new IllegalArgumentException("initialCredit must be >= 1, or -1 for no flow control: " + credit);
        }
        this.initialCredit = credit;
        return this;
    }

    public long initialCredit()
    {
        return initialCredit;
    }

    /**
     * @param credit CRITICAL messages the daemon may send before the first CRITICAL credit, apart from
     *               {@link #initialCredit} ({@code >= 0}); 0 (the default): CRITICAL spends the initial credit with the
     *               other classes. Ignored without flow control. With {@link #autoCredit} false the application grants
     *               it with {@link ClientSubscription#grantCredit(long, long)}.
     */
    public ClientSubscriptionOptions criticalCredit(final long credit)
    {
        if (credit < 0)
        {
            throw new IllegalArgumentException("criticalCredit must be >= 0: " + credit);
        }
        this.criticalCredit = credit;
        return this;
    }

    public long criticalCredit()
    {
        return criticalCredit;
    }

    /**
     * CRITICAL first in the client as well as in the daemon: the client reads on while the handler has messages below
     * CRITICAL to take, keeping those (up to the subscription's credit, and {@link #expressBacklogBytes}) and handing
     * each CRITICAL message over as it is read; between two lower-class handler calls it reads the connection again
     * once {@link ClientContext#expressPollIntervalNs} has passed. Each class keeps its order; credit is granted, as
     * always, for what the handler was handed, so the daemon never sends more below CRITICAL than the store holds. A
     * message that finds the store full makes room by handing the oldest kept ones over at once, counted
     * ({@link ClientStatistics#expressBacklogFull()}). Best with a {@link #criticalCredit} window, so that the lower
     * classes' credit cannot hold CRITICAL back in the daemon either.
     * <p>
     * Needs flow control ({@link #initialCredit} {@code >= 1}: the bound) and a live subscription: a durable one, or
     * one started in the journal, is delivered in strict order, and {@link JunctionClient#subscribe} refuses the
     * option there ({@link IllegalArgumentException}). Messages kept when the subscription is closed are discarded
     * and counted ({@link ClientStatistics#discarded()}), as are those on their way; a closed queue-group member's
     * are handed over before its leave ends. Those kept when the connection is lost are still handed over, without
     * granting credit for them on the next connection.
     *
     * @param expressCritical true: as above; false (the default): every message is handed over as it is read.
     */
    public ClientSubscriptionOptions expressCritical(final boolean expressCritical)
    {
        this.expressCritical = expressCritical;
        return this;
    }

    public boolean expressCritical()
    {
        return expressCritical;
    }

    /**
     * @param bytes the most an {@link #expressCritical} subscription keeps of its messages below CRITICAL, in bytes
     *              of their frames ({@code >= 1}; {@value #DEFAULT_EXPRESS_BACKLOG_BYTES} by default). Its store
     *              starts at 64 KiB and grows to this as needed.
     */
    public ClientSubscriptionOptions expressBacklogBytes(final int bytes)
    {
        if (bytes < 1)
        {
            throw new IllegalArgumentException("expressBacklogBytes must be >= 1: " + bytes);
        }
        this.expressBacklogBytes = bytes;
        return this;
    }

    public int expressBacklogBytes()
    {
        return expressBacklogBytes;
    }

    /**
     * @param autoCredit false: the application grants credit itself with {@link ClientSubscription#grantCredit}.
     */
    public ClientSubscriptionOptions autoCredit(final boolean autoCredit)
    {
        this.autoCredit = autoCredit;
        return this;
    }

    public boolean autoCredit()
    {
        return autoCredit;
    }

    /**
     * Join a queue group in the daemon, balanced: each message of the pattern goes to one member of the group.
     *
     * @param group 1 to {@value QueueGroupNames#MAX_LENGTH} printable ASCII characters without spaces, or null
     *              (the default) for none: every subscription gets every message.
     */
    public ClientSubscriptionOptions queueGroup(final String group)
    {
        return queueGroup(group, QueueGroupDiscipline.BALANCED);
    }

    /**
     * Join a queue group in the daemon with a discipline: {@link QueueGroupDiscipline#KEYED} hands all messages of
     * one key ({@link JunctionClient#offer(String, long, Priority, org.agrona.DirectBuffer, int, int)}, or the topic
     * without one) to the same member, in order. Every member of a group must ask for the same discipline.
     */
    public ClientSubscriptionOptions queueGroup(final String group, final QueueGroupDiscipline discipline)
    {
        final String problem = null == group ? null : QueueGroupNames.problem(group);
        if (null != problem)
        {
            throw new IllegalArgumentException("queueGroup '" + group + "' refused: the name " + problem);
        }
        this.queueGroup = group;
        this.queueGroupDiscipline = java.util.Objects.requireNonNull(discipline, "discipline");
        return this;
    }

    public QueueGroupDiscipline queueGroupDiscipline()
    {
        return queueGroupDiscipline;
    }

    /**
     * @return the queue group's name, or null if none.
     */
    public String queueGroup()
    {
        return queueGroup;
    }

    /**
     * A durable subscription of this name (the principal's own: another principal's of the same name is another
     * one). One connection at a time may hold it; another is refused (DUPLICATE_SUBSCRIPTION) while it is held.
     *
     * @param name 1 to 64 of letters, digits, '.', '_' and '-', or null (the default) for none.
     */
    public ClientSubscriptionOptions durable(final String name)
    {
        if (null != name && !name.matches("[A-Za-z0-9._-]{1,64}"))
        {
            throw new IllegalArgumentException("durable name must be 1 to 64 of [A-Za-z0-9._-]: " + name);
        }
        this.durableName = name;
        return this;
    }

    /**
     * @return the durable name, or null if not durable.
     */
    public String durable()
    {
        return durableName;
    }

    /**
     * @param start where it starts in the daemon's journal (the first time, for a durable subscription).
     */
    public ClientSubscriptionOptions startAt(final StartAt start)
    {
        this.startAt = java.util.Objects.requireNonNull(start, "start");
        return this;
    }

    public StartAt startAt()
    {
        return startAt;
    }

    /**
     * @param autoAck true: acknowledge each message of a durable subscription once its handler returned without
     *                throwing; false (the default): the application calls {@link ClientSubscription#ack}.
     */
    public ClientSubscriptionOptions autoAck(final boolean autoAck)
    {
        this.autoAck = autoAck;
        return this;
    }

    public boolean autoAck()
    {
        return autoAck;
    }

    /**
     * @return true when the daemon serves it from its journal.
     */
    boolean fromJournal()
    {
        return null != durableName || startAt.isReplay();
    }

    ClientSubscriptionOptions copy()
    {
        return new ClientSubscriptionOptions().slowSubscriberPolicy(slowSubscriberPolicy)
            .initialCredit(initialCredit).criticalCredit(criticalCredit).autoCredit(autoCredit).queueGroup(queueGroup, queueGroupDiscipline).durable(durableName)
            .startAt(startAt).autoAck(autoAck).expressCritical(expressCritical)
            .expressBacklogBytes(expressBacklogBytes);
    }
}
