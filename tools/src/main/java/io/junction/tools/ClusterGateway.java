package io.junction.tools;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
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

import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.cluster.AsciiStringCache;
import io.junction.cluster.codecs.ErrorCode;
import io.junction.cluster.client.ClientListener;
import io.junction.cluster.client.JunctionClient;

/**
 * Routes the local protocol's publishes into the cluster and the cluster's messages to the local protocol's
 * subscribers: a {@link JunctionClient} of the member's own media driver, owned by one thread.
 * <p>
 * Protocol connections hand their best-effort publishes to {@link #offer} (a many-to-one ring, no allocation, no
 * lock); the gateway thread publishes them on ingress (the cluster sequences and replicates them), and one cluster
 * subscription to every topic offers what the cluster delivers into the daemon's switch, where protocol subscribers
 * get it. So a message published through any member's daemon reaches the subscribers of every member's daemon,
 * once, in the cluster's order. The client follows leader changes and reconnects itself.
 */
final class ClusterGateway implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger("junction.cluster-gateway");

    public static final int PUBLISHED_TYPE_ID = 1610;
    public static final int DELIVERED_TYPE_ID = 1611;
    public static final int DROPPED_TYPE_ID = 1612;
    public static final int CONNECTED_TYPE_ID = 1613;
    public static final int ERRORS_TYPE_ID = 1614;

    private static final int HEADER_LENGTH = 3; // priority, topic length (short)
    private static final int MSG_TYPE_ID = 1;
    private static final Priority[] PRIORITIES = Priority.values();

    private final String aeronDirectoryName;
    private final String ingressEndpoints;
    private final Junction junction;
    private final ManyToOneRingBuffer ring;
    private final AtomicCounter published;
    private final AtomicCounter delivered;
    private final AtomicCounter dropped;
    private final AtomicCounter connected;
    private final AtomicCounter errors;
    private final Thread thread;
    private final ControlledMessageHandler publishHandler = this::onPublish;
    private final AsciiStringCache topics = new AsciiStringCache(1024);
    private volatile JunctionClient client;
    private volatile boolean running = true;

    ClusterGateway(
        final String aeronDirectoryName,
        final String ingressEndpoints,
        final Junction junction,
        final CountersManager counters,
        final int ringCapacity)
    {
        this.aeronDirectoryName = aeronDirectoryName;
        this.ingressEndpoints = ingressEndpoints;
        this.junction = junction;
        ring = new ManyToOneRingBuffer(new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            ringCapacity + RingBufferDescriptor.TRAILER_LENGTH, BitUtil.CACHE_LINE_LENGTH)));
        published = counters.newCounter("cluster gateway publishes sent", PUBLISHED_TYPE_ID);
        delivered = counters.newCounter("cluster gateway deliveries into the switch", DELIVERED_TYPE_ID);
        dropped = counters.newCounter("cluster gateway deliveries dropped", DROPPED_TYPE_ID);
        connected = counters.newCounter("cluster gateway connected", CONNECTED_TYPE_ID);
        errors = counters.newCounter("cluster gateway publishes refused or not sent", ERRORS_TYPE_ID);
        thread = new Thread(this::run, "junction-cluster-gateway");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Queue a best-effort publish for the cluster; called by protocol connections, concurrently.
     *
     * @return 0 when queued, {@link OfferResult#BACK_PRESSURED} while the queue is full, {@link OfferResult#CLOSED}.
     */
    long offer(
        final DirectBuffer frame, final int topicOffset, final int topicLength, final int priority,
        final int payloadOffset, final int payloadLength)
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
        final org.agrona.concurrent.AtomicBuffer buffer = ring.buffer();
        buffer.putByte(index, (byte)priority);
        buffer.putShort(index + 1, (short)topicLength);
        buffer.putBytes(index + HEADER_LENGTH, frame, topicOffset, topicLength);
        buffer.putBytes(index + HEADER_LENGTH + topicLength, frame, payloadOffset, payloadLength);
        ring.commit(index);
        return 0;
    }

    /**
     * @return the longest message {@link #offer} takes.
     */
    int maxMessageLength()
    {
        return ring.maxMsgLength() - HEADER_LENGTH;
    }

    private ControlledMessageHandler.Action onPublish(
        final int msgTypeId, final org.agrona.MutableDirectBuffer buffer, final int index, final int length)
    {
        final int priority = buffer.getByte(index);
        final int topicLength = buffer.getShort(index + 1) & 0xFFFF;
        final String topic = isAscii(buffer, index + HEADER_LENGTH, topicLength) ?
            topics.get(buffer, index + HEADER_LENGTH, topicLength) : // repeated topics: no garbage
            buffer.getStringWithoutLengthUtf8(index + HEADER_LENGTH, topicLength);
        final int payloadOffset = index + HEADER_LENGTH + topicLength;
        final long result = client.publish(topic, PRIORITIES[priority], buffer, payloadOffset,
            length - HEADER_LENGTH - topicLength);
        if (result == JunctionClient.BACK_PRESSURED)
        {
            return ControlledMessageHandler.Action.ABORT; // kept in the ring; sent once the cluster acknowledges more
        }
        if (result > 0)
        {
            published.incrementRelease();
        }
        else
        {
            errors.incrementRelease(); // TOO_LARGE or CLOSED
        }
        return ControlledMessageHandler.Action.CONTINUE;
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

    private void onDelivery(
        final String topic, final long sequence, final int priority, final DirectBuffer buffer, final int offset,
        final int length)
    {
        final Priority level = priority >= 0 && priority < PRIORITIES.length ? PRIORITIES[priority] : Priority.NORMAL;
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (true)
        {
            final long result = junction.offer(topic, level, buffer, offset, length);
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
                client = JunctionClient.connect(new JunctionClient.Context()
                    .aeronDirectoryName(aeronDirectoryName)
                    .ingressEndpoints(ingressEndpoints)
                    .connectTimeoutNs(TimeUnit.SECONDS.toNanos(5))
                    .tailCheckIntervalNs(TimeUnit.SECONDS.toNanos(5)) // each check is a log entry: not every second
                    .listener(new ClientListener()
                    {
                        @Override
                        public void onError(
                            final long correlationId, final int requestTemplateId, final ErrorCode code,
                            final String reason)
                        {
                            errors.incrementRelease();
                        }

                        @Override
                        public void onConnected(final long clusterSessionId, final int leaderMemberId)
                        {
                            LOG.info("cluster gateway connected, session " +
                                clusterSessionId + ", leader " + leaderMemberId);
                        }
                    }));
                client.subscribe(">", this::onDelivery);
            }
            catch (final RuntimeException ex)
            {
                // No leader yet (no quorum, an election): try again.
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
    }
}
