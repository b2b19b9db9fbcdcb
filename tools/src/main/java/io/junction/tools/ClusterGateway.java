package io.junction.tools;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.junction.Durability;
import io.junction.Junction;
import io.junction.Message;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.client.ClientContext;
import io.junction.client.ClientResult;
import io.junction.client.DisconnectReason;
import io.junction.client.JunctionClient;
import io.junction.client.PublishOutcome;
import io.junction.protocol.AsciiStringCache;
import io.junction.cluster.client.ClusterTransport;

/**
 * Routes the local protocol's publishes into the cluster and the cluster's messages to the local protocol's
 * subscribers: a {@link JunctionClient} (the same client API as a daemon's) over a {@link ClusterTransport} of the
 * member's own media driver, owned by one thread.
 * <p>
 * Protocol connections hand their publishes to {@link #offer} (a many-to-one ring, no allocation, no lock), after
 * the connection applied the daemon's regulation ({@link ClusterEdge}); the gateway thread publishes them on
 * ingress (the cluster sequences and replicates them), and one cluster subscription to every topic offers what
 * the cluster delivers into the daemon's switch, where protocol subscribers get it. A guaranteed publish gets a
 * ticket: its outcome (DURABLE once the cluster committed it) is kept under the ticket for the connection to
 * read ({@link #durability}) and answer. So a message published through any member's daemon reaches the
 * subscribers of every member's daemon, once, in the cluster's order. The client follows leader changes, resends
 * the guaranteed publishes awaiting their outcome with the same publisher sequences (the cluster drops the ones
 * it has) and reconnects itself.
 */
final class ClusterGateway implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger("junction.cluster-gateway");

    public static final int PUBLISHED_TYPE_ID = 1610;
    public static final int DELIVERED_TYPE_ID = 1611;
    public static final int DROPPED_TYPE_ID = 1612;
    public static final int CONNECTED_TYPE_ID = 1613;
    public static final int ERRORS_TYPE_ID = 1614;
    /** Guaranteed publishes the cluster answered DURABLE. */
    public static final int DURABLE_TYPE_ID = 1623;
    /** Publishes the daemon's regulation shed at the gateway, before replication. */
    public static final int SHED_TYPE_ID = 1624;

    // priority, flags, topic length (short), ticket (long), expiry on System.nanoTime (long, with FLAG_TTL)
    private static final int HEADER_LENGTH = 20;
    private static final int FLAG_GUARANTEED = 1;
    private static final int FLAG_TTL = 2;
    /** What a time to live that ran out while the publish waited here is sent as: the cluster sheds it EXPIRED. */
    private static final long RUN_OUT_TTL_NS = -1;
    private static final int MSG_TYPE_ID = 1;
    private static final Priority[] PRIORITIES = Priority.values();
    /** Tickets whose outcome is kept: far more than can await one (the client's in-flight window). */
    private static final int TICKETS = 1 << 16;
    private static final int IN_FLIGHT = 8192;
    private static final long OUTCOME_DURABLE = 1;
    private static final long OUTCOME_FAILED = 2;

    private final String aeronDirectoryName;
    private final String ingressEndpoints;
    private final String instance;
    private final long leaderHeartbeatTimeoutNs;
    private final Junction junction;
    private final ManyToOneRingBuffer ring;
    private final AtomicCounter published;
    private final AtomicCounter delivered;
    private final AtomicCounter dropped;
    private final AtomicCounter connected;
    private final AtomicCounter errors;
    private final AtomicCounter durable;
    private final AtomicCounter shed;
    private final Thread thread;
    private final ControlledMessageHandler publishHandler = this::onPublish;
    private final AsciiStringCache topics = new AsciiStringCache(1024);
    private final AtomicLong nextTicket = new AtomicLong(1);
    /** By ticket slot: ticket << 2 | outcome, written by the gateway thread, read by the connections'. */
    private final AtomicLongArray outcomeByTicket = new AtomicLongArray(TICKETS);
    private final AtomicLongArray sequenceByTicket = new AtomicLongArray(TICKETS);
    /** By the client's publisher sequence slot (gateway thread only): which ticket it carries. */
    private final long[] publisherSequenceBySlot = new long[IN_FLIGHT];
    private final long[] ticketBySlot = new long[IN_FLIGHT];
    private volatile JunctionClient client;
    private volatile boolean running = true;

    ClusterGateway(
        final String aeronDirectoryName,
        final String ingressEndpoints,
        final String instance,
        final long leaderHeartbeatTimeoutNs,
        final Junction junction,
        final CountersManager counters,
        final int ringCapacity)
    {
        this.aeronDirectoryName = aeronDirectoryName;
        this.ingressEndpoints = ingressEndpoints;
        this.instance = instance;
        this.leaderHeartbeatTimeoutNs = leaderHeartbeatTimeoutNs;
        this.junction = junction;
        ring = new ManyToOneRingBuffer(new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            ringCapacity + RingBufferDescriptor.TRAILER_LENGTH, BitUtil.CACHE_LINE_LENGTH)));
        published = counters.newCounter("cluster gateway publishes sent", PUBLISHED_TYPE_ID);
        delivered = counters.newCounter("cluster gateway deliveries into the switch", DELIVERED_TYPE_ID);
        dropped = counters.newCounter("cluster gateway deliveries dropped", DROPPED_TYPE_ID);
        connected = counters.newCounter("cluster gateway connected", CONNECTED_TYPE_ID);
        errors = counters.newCounter("cluster gateway publishes refused or not sent", ERRORS_TYPE_ID);
        durable = counters.newCounter("cluster gateway guaranteed publishes durable", DURABLE_TYPE_ID);
        shed = counters.newCounter("cluster gateway publishes shed by regulation", SHED_TYPE_ID);
        thread = new Thread(this::run, "junction-cluster-gateway");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Queue a best-effort publish without a time to live for the cluster; called by protocol connections,
     * concurrently.
     *
     * @return 0 when queued, {@link OfferResult#BACK_PRESSURED} while the queue is full, {@link OfferResult#CLOSED}.
     */
    long offer(
        final DirectBuffer frame, final int topicOffset, final int topicLength, final int priority,
        final int payloadOffset, final int payloadLength)
    {
        return offer(frame, topicOffset, topicLength, priority, false, 0, 0, payloadOffset, payloadLength);
    }

    /**
     * Queue a publish for the cluster; called by protocol connections, concurrently.
     *
     * @param ttlNs    its time to live, 0 none: counted from {@code takenNs}, so the time it waits here (a leader
     *                 change) is taken off what the cluster is given.
     * @param takenNs  when the daemon took it, on {@link System#nanoTime()}; read only with a time to live.
     * @return for a guaranteed publish its ticket ({@code > 0}) for {@link #durability}, for a best-effort one 0;
     * {@link OfferResult#BACK_PRESSURED} while the queue is full, {@link OfferResult#CLOSED}.
     */
    long offer(
        final DirectBuffer frame, final int topicOffset, final int topicLength, final int priority,
        final boolean guaranteed, final long ttlNs, final long takenNs, final int payloadOffset,
        final int payloadLength)
    {
        if (!running)
        {
            return OfferResult.CLOSED;
        }
        final int length = HEADER_LENGTH + topicLength + payloadLength;
        final int index = ring.tryClaim(MSG_TYPE_ID, length);
        if (index <= 0)
        {
            return OfferResult.BACK_PRESSURED;
        }
        final long ticket = guaranteed ? nextTicket.getAndIncrement() : 0;
        final org.agrona.concurrent.AtomicBuffer buffer = ring.buffer();
        buffer.putByte(index, (byte)priority);
        buffer.putByte(index + 1, (byte)((guaranteed ? FLAG_GUARANTEED : 0) | (0 != ttlNs ? FLAG_TTL : 0)));
        buffer.putShort(index + 2, (short)topicLength);
        buffer.putLong(index + 4, ticket);
        buffer.putLong(index + 12, takenNs + ttlNs);
        buffer.putBytes(index + HEADER_LENGTH, frame, topicOffset, topicLength);
        buffer.putBytes(index + HEADER_LENGTH + topicLength, frame, payloadOffset, payloadLength);
        ring.commit(index);
        return ticket;
    }

    /**
     * @return where the guaranteed publish of this ticket stands: JOURNALED once the cluster answered it DURABLE
     * (committed to a majority's log), FAILED if refused or not sent, PENDING until then. Any thread.
     */
    Durability durability(final long ticket)
    {
        final long outcome = outcomeByTicket.get((int)(ticket & (TICKETS - 1)));
        if (outcome >>> 2 != ticket)
        {
            return Durability.PENDING;
        }
        return OUTCOME_DURABLE == (outcome & 3) ? Durability.JOURNALED : Durability.FAILED;
    }

    /**
     * @return the cluster's sequence of a ticket {@link #durability} says is durable, else -1.
     */
    long clusterSequence(final long ticket)
    {
        final int slot = (int)(ticket & (TICKETS - 1));
        final long sequence = sequenceByTicket.get(slot);
        return outcomeByTicket.get(slot) >>> 2 == ticket ? sequence : -1;
    }

    /**
     * A publish the connection's regulation shed before it reached the gateway.
     */
    void onShed()
    {
        shed.incrementRelease();
    }

    /**
     * @return the longest message {@link #offer} takes.
     */
    int maxMessageLength()
    {
        return ring.maxMsgLength() - HEADER_LENGTH;
    }

    private void settle(final long ticket, final long outcome, final long sequence)
    {
        final int slot = (int)(ticket & (TICKETS - 1));
        sequenceByTicket.setRelease(slot, sequence);
        outcomeByTicket.setRelease(slot, ticket << 2 | outcome);
    }

    private ControlledMessageHandler.Action onPublish(
        final int msgTypeId, final org.agrona.MutableDirectBuffer buffer, final int index, final int length)
    {
        final int priority = buffer.getByte(index);
        final int flags = buffer.getByte(index + 1);
        final boolean guaranteed = 0 != (flags & FLAG_GUARANTEED);
        final int topicLength = buffer.getShort(index + 2) & 0xFFFF;
        final long ticket = buffer.getLong(index + 4);
        final long ttlNs = 0 == (flags & FLAG_TTL) ? 0 : remainingTtlNs(buffer.getLong(index + 12));
        final String topic = isAscii(buffer, index + HEADER_LENGTH, topicLength) ?
            topics.get(buffer, index + HEADER_LENGTH, topicLength) : // repeated topics: no garbage
            buffer.getStringWithoutLengthUtf8(index + HEADER_LENGTH, topicLength);
        final int payloadOffset = index + HEADER_LENGTH + topicLength;
        final long result = client.offer(topic, PRIORITIES[priority],
            guaranteed ? QualityOfService.GUARANTEED : QualityOfService.BEST_EFFORT, ttlNs, buffer, payloadOffset,
            length - HEADER_LENGTH - topicLength);
        if (ClientResult.BACK_PRESSURED == result || ClientResult.NOT_CONNECTED == result ||
            ClientResult.IN_FLIGHT_FULL == result || ClientResult.IN_FLIGHT_BUFFER_FULL == result)
        {
            return ControlledMessageHandler.Action.ABORT; // kept in the ring; sent once the cluster answers more
        }
        if (result > 0)
        {
            published.incrementRelease();
            if (guaranteed)
            {
                final int slot = (int)(result & (IN_FLIGHT - 1));
                publisherSequenceBySlot[slot] = result;
                ticketBySlot[slot] = ticket;
            }
        }
        else
        {
            errors.incrementRelease(); // rejected by the client, or CLOSED
            if (guaranteed)
            {
                settle(ticket, OUTCOME_FAILED, -1);
            }
        }
        return ControlledMessageHandler.Action.CONTINUE;
    }

    private void onOutcome(final long publisherSequence, final PublishOutcome outcome, final long sequence,
        final int reasonCode)
    {
        final int slot = (int)(publisherSequence & (IN_FLIGHT - 1));
        if (publisherSequenceBySlot[slot] != publisherSequence)
        {
            return; // Older than the window: its connection timed it out long ago.
        }
        if (PublishOutcome.DURABLE == outcome)
        {
            durable.incrementRelease();
            settle(ticketBySlot[slot], OUTCOME_DURABLE, sequence);
        }
        else
        {
            errors.incrementRelease();
            settle(ticketBySlot[slot], OUTCOME_FAILED, -1);
        }
        publisherSequenceBySlot[slot] = 0;
    }

    /**
     * @return what is left of a time to live expiring at {@code expiryNs}; one that ran out is never 0 (none).
     */
    private static long remainingTtlNs(final long expiryNs)
    {
        final long remainingNs = expiryNs - System.nanoTime();
        return remainingNs > 0 ? remainingNs : RUN_OUT_TTL_NS;
    }

    private static boolean isAscii(final DirectBuffer buffer, final int offset, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            if (buffer.getByte(offset + i) < 0)
            {
                return false;
            }
        }
        return true;
    }

    private void onDelivery(final Message message)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (true)
        {
            final long result = junction.offer(message.topic(), message.priority(), message.buffer(), message.offset(),
                message.length());
            if (OfferResult.isAccepted(result))
            {
                delivered.incrementRelease();
                return;
            }
            if (result != OfferResult.BACK_PRESSURED || System.nanoTime() - deadlineNs >= 0 || !running)
            {
                dropped.incrementRelease();
                return;
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
        }
    }

    private void run()
    {
        while (running && null == client)
        {
            try
            {
                client = JunctionClient.connect(new ClientContext()
                    .instance(instance)
                    .maxInFlight(IN_FLIGHT)
                    .connectTimeoutNs(TimeUnit.SECONDS.toNanos(10))
                    .reconnectBackoff(TimeUnit.MILLISECONDS.toNanos(50), TimeUnit.SECONDS.toNanos(1))
                    .outcomeListener(this::onOutcome)
                    .connectionListener((state, reason, detail) -> LOG.info("cluster gateway " + state +
                        (DisconnectReason.NONE == reason ? "" : " (" + reason + ")") + ": " + detail)),
                    new ClusterTransport(new ClusterTransport.Context()
                        .aeronDirectoryName(aeronDirectoryName)
                        .ingressEndpoints(ingressEndpoints)
                        .leaderHeartbeatTimeoutNs(leaderHeartbeatTimeoutNs)));
                client.subscribe(">", this::onDelivery);
            }
            catch (final RuntimeException ex)
            {
                // No member reachable to find this host's address yet: try again.
                LOG.warn("cluster gateway cannot start its client yet: " + ex.getMessage());
                if (running)
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
                }
            }
        }
        while (running)
        {
            connected.setRelease(client.isConnected() ? 1 : 0);
            int work = client.poll();
            if (client.isConnected())
            {
                work += ring.controlledRead(publishHandler, 256);
            }
            if (0 == work)
            {
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
            }
        }
        if (null != client)
        {
            // A last chance for what was sent to be answered, then the client goes.
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (client.inFlight() > 0 && client.isConnected() && System.nanoTime() - deadlineNs < 0)
            {
                if (0 == client.poll())
                {
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
                }
            }
            client.close();
        }
        connected.setRelease(0);
    }

    /**
     * Stop after a last attempt to send what protocol connections queued.
     */
    @Override
    public void close()
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (null != client && ring.size() > 0 && System.nanoTime() - deadlineNs < 0 && thread.isAlive())
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        running = false;
        try
        {
            thread.join(10_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        if (!thread.isAlive())
        {
            // Accepted from the protocol but never sent (no leader, or the stop came first): say so, never silently.
            final int unsent = ring.read((msgTypeId, buffer, index, length) -> {}, Integer.MAX_VALUE);
            if (unsent > 0)
            {
                errors.getAndAdd(unsent);
                LOG.warn("cluster gateway: " + unsent +
                    " publish(es) accepted from the protocol were not sent to the cluster before the stop");
            }
        }
        published.close();
        delivered.close();
        dropped.close();
        connected.close();
        errors.close();
        durable.close();
        shed.close();
    }
}
