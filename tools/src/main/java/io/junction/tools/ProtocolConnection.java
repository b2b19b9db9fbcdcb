package io.junction.tools;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

import io.junction.InvalidTopicException;
import io.junction.Message;
import io.junction.MessageHandler;
import io.junction.OfferResult;
import io.junction.Durability;
import io.junction.Priority;
import io.junction.Publisher;
import io.junction.QualityOfService;
import io.junction.Subscription;
import io.junction.SubscriptionListener;
import io.junction.TerminationReason;
import io.junction.observe.SlowSubscriberJfrEvent;

/**
 * One client of the {@link Frames} protocol: its reader thread publishes and subscribes; its
 * subscriptions' delivery threads write MESSAGE frames, under the output's lock.
 */
final class ProtocolConnection implements AutoCloseable
{
    private static final Priority[] PRIORITIES = Priority.values();

    private final ProtocolServer server;
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final byte[] frame;
    private final UnsafeBuffer frameBuffer;
    private final byte[] deliveryScratch;
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private static final int DURABLE_WINDOW = 4096; // guaranteed publishes awaiting their answer; a power of two
    private final long[] pendingSequences = new long[DURABLE_WINDOW];
    private final long[] pendingDeadlines = new long[DURABLE_WINDOW];
    private final String[] pendingTopics = new String[DURABLE_WINDOW];
    private final java.util.concurrent.atomic.AtomicLong pendingHead = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong pendingTail = new java.util.concurrent.atomic.AtomicLong();
    private Thread acker;
    private boolean unflushed; // the acker's own
    private final byte[] durableFrame = new byte[4 + 1 + 8];
    private final UnsafeBuffer durableBuffer = new UnsafeBuffer(durableFrame);
    private Publisher publisher;
    private volatile boolean closed;

    ProtocolConnection(final ProtocolServer server, final Socket socket) throws IOException
    {
        this.server = server;
        this.socket = socket;
        socket.setTcpNoDelay(true);
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
        out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 64 * 1024));
        frame = new byte[server.maxFrameLength()];
        frameBuffer = new UnsafeBuffer(frame);
        deliveryScratch = new byte[server.maxFrameLength()];
        publisher = server.junction().publisher("conn-" + socket.getPort());
        reader = new Thread(this::readLoop, "junction-protocol-" + socket.getPort());
        reader.setDaemon(true);
    }

    void start()
    {
        reader.start();
    }

    long queueDepth()
    {
        long max = 0;
        for (final Subscription subscription : subscriptions)
        {
            max = Math.max(max, subscription.queueDepth());
        }
        return max;
    }

    private void readLoop()
    {
        try
        {
            // Reads on while the daemon stops: a PUBLISH it no longer admits is answered CLOSED, never dropped silently.
            while (!closed)
            {
                final int length;
                try
                {
                    length = in.readInt();
                }
                catch (final EOFException ex)
                {
                    break;
                }
                if (length < 1 || length > frame.length)
                {
                    server.badFramesCounter.increment();
                    sendError(Frames.ERROR_BAD_LENGTH, "bad frame length " + length + ", must be 1.." + frame.length +
                        "; closing");
                    break;
                }
                in.readFully(frame, 0, length);
                onFrame(length);
            }
        }
        catch (final IOException ex)
        {
            // The client went away, or the daemon is stopping.
        }
        finally
        {
            close();
        }
    }

    private void onFrame(final int length) throws IOException
    {
        switch (frame[0])
        {
            case Frames.PUBLISH -> onPublish(length);
            case Frames.SUBSCRIBE -> onSubscribe(length);
            case Frames.PING ->
            {
                awaitAnswered(); // a PONG still means every earlier publish was accepted or answered
                writeFrame(Frames.PONG, null);
            }
            case Frames.HELLO -> onHello(length);
            default ->
            {
                server.badFramesCounter.increment();
                sendError(Frames.ERROR_UNKNOWN_TYPE, "unknown frame type 0x" + Integer.toHexString(frame[0] & 0xFF));
            }
        }
    }

    private void onPublish(final int length) throws IOException
    {
        if (length < 4)
        {
            malformed("PUBLISH frame too short: " + length);
            return;
        }
        final int qos = (frame[1] & 0xF0) >>> 4;
        final int priority = frame[1] & 0x0F;
        if (qos != Frames.QOS_BEST_EFFORT && qos != Frames.QOS_GUARANTEED)
        {
            server.badFramesCounter.increment();
            server.badQosCounter.increment();
            sendError(Frames.ERROR_BAD_QOS, "PUBLISH with unknown quality of service " + qos +
                "; known: 0 best-effort, 1 guaranteed");
            return;
        }
        final QualityOfService quality = qos == Frames.QOS_GUARANTEED ?
            QualityOfService.GUARANTEED : QualityOfService.BEST_EFFORT;
        final int topicLength = frameBuffer.getShort(2, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF;
        if (priority >= PRIORITIES.length || 4 + topicLength > length)
        {
            malformed("PUBLISH frame with priority " + priority + " and topic length " + topicLength +
                " in a frame of " + length);
            return;
        }
        final String topic = new String(frame, 4, topicLength, StandardCharsets.UTF_8);
        final int payloadOffset = 4 + topicLength;
        server.offeredByClass[priority].increment();
        final ClusterGateway gateway = server.clusterGateway();
        if (null != gateway)
        {
            publishToCluster(gateway, topic, topicLength, priority, quality, payloadOffset, length);
            return;
        }
        final long deadlineNs = System.nanoTime() + server.publishTimeoutNs();
        long result = OfferResult.CLOSED;
        while (server.isAdmitting())
        {
            result = publisher.offer(topic, PRIORITIES[priority], quality, frameBuffer, payloadOffset,
                length - payloadOffset);
            if (result != OfferResult.BACK_PRESSURED || System.nanoTime() - deadlineNs >= 0)
            {
                break;
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
        }
        if (OfferResult.isAccepted(result))
        {
            server.publishesCounter.increment();
            server.acceptedByClass[priority].increment();
            if (QualityOfService.GUARANTEED == quality)
            {
                enqueueDurable(result, topic);
            }
        }
        else
        {
            server.publishFailuresCounter.increment();
            sendError((int)result, OfferResult.describe(result) + " topic '" + topic + "'");
        }
    }

    /**
     * The clustered daemon: a best-effort publish goes to the cluster's ingress through the gateway (the cluster
     * sequences and replicates it; every member's daemon delivers it to its subscribers). Guaranteed publishes are
     * refused here: the cluster's acknowledgement does not reach this protocol (use JunctionClient).
     */
    private void publishToCluster(
        final ClusterGateway gateway, final String topic, final int topicLength, final int priority,
        final QualityOfService quality, final int payloadOffset, final int length) throws IOException
    {
        if (QualityOfService.GUARANTEED == quality)
        {
            server.publishFailuresCounter.increment();
            sendError(Frames.ERROR_BAD_QOS, "guaranteed PUBLISH is not taken by a clustered daemon's protocol (its " +
                "messages go to the cluster best-effort); use the cluster's JunctionClient; topic '" + topic + "'");
            return;
        }
        final io.junction.RejectReason invalid = io.junction.topic.Topics.validateTopic(topic,
            server.junction().context().maxTopicLength(), server.junction().context().maxTopicTokens());
        long result = null != invalid ? OfferResult.rejected(invalid) : OfferResult.CLOSED;
        final long deadlineNs = System.nanoTime() + server.publishTimeoutNs();
        while (null == invalid && server.isAdmitting())
        {
            result = gateway.offer(frameBuffer, 4, topicLength, priority, payloadOffset, length - payloadOffset);
            if (result != OfferResult.BACK_PRESSURED || System.nanoTime() - deadlineNs >= 0)
            {
                break;
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
        }
        if (OfferResult.isAccepted(result))
        {
            server.publishesCounter.increment();
            server.acceptedByClass[priority].increment();
        }
        else
        {
            server.publishFailuresCounter.increment();
            sendError((int)result, OfferResult.describe(result) + " topic '" + topic + "'");
        }
    }

    /**
     * Hand a guaranteed publish to the acker, which answers it once the journal has it: publishes are
     * pipelined (up to {@value #DURABLE_WINDOW} awaiting), answers come in publish order.
     */
    private void enqueueDurable(final long sequence, final String topic)
    {
        if (null == acker)
        {
            acker = new Thread(this::ackLoop, "junction-protocol-durable-" + socket.getPort());
            acker.setDaemon(true);
            acker.start();
        }
        final long tail = pendingTail.get();
        while (tail - pendingHead.get() >= DURABLE_WINDOW && !closed)
        {
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(20));
        }
        final int index = (int)(tail & (DURABLE_WINDOW - 1));
        pendingSequences[index] = sequence;
        pendingDeadlines[index] = System.nanoTime() + server.durableTimeoutNs();
        pendingTopics[index] = topic;
        pendingTail.set(tail + 1);
        LockSupport.unpark(acker);
    }

    private void awaitAnswered()
    {
        awaitAnswered(Long.MAX_VALUE);
    }

    /**
     * @param deadlineNs by {@link System#nanoTime()}; Long.MAX_VALUE for none (each answer has its own timeout).
     */
    void awaitAnswered(final long deadlineNs)
    {
        while (pendingHead.get() < pendingTail.get() && !closed &&
            (Long.MAX_VALUE == deadlineNs || System.nanoTime() - deadlineNs < 0))
        {
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(20));
        }
    }

    /**
     * Answer each guaranteed publish, oldest first: DURABLE once journaled, or an ERROR if the journal failed
     * first or the wait timed out.
     */
    private void ackLoop()
    {
        try
        {
            while (!closed)
            {
                final long head = pendingHead.get();
                if (head == pendingTail.get())
                {
                    flushAnswers();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // unparked by the next enqueue
                    continue;
                }
                final int index = (int)(head & (DURABLE_WINDOW - 1));
                final long sequence = pendingSequences[index];
                final Durability durability = server.junction().durability(sequence);
                if (Durability.PENDING == durability && System.nanoTime() - pendingDeadlines[index] < 0)
                {
                    flushAnswers();
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(20));
                    continue;
                }
                answerDurable(sequence, pendingTopics[index], durability);
                pendingTopics[index] = null;
                pendingHead.set(head + 1);
            }
        }
        catch (final IOException ex)
        {
            close(); // The client is gone.
        }
    }

    private void flushAnswers() throws IOException
    {
        if (unflushed)
        {
            unflushed = false;
            synchronized (out)
            {
                out.flush();
            }
        }
    }

    private void answerDurable(final long sequence, final String topic, final Durability durability)
        throws IOException
    {
        if (Durability.JOURNALED == durability)
        {
            server.durableAcksCounter.increment();
            durableBuffer.putInt(0, 1 + 8, java.nio.ByteOrder.BIG_ENDIAN);
            durableBuffer.putByte(4, Frames.DURABLE);
            durableBuffer.putLong(5, sequence, java.nio.ByteOrder.BIG_ENDIAN);
            synchronized (out)
            {
                out.write(durableFrame, 0, durableFrame.length); // flushed before the acker waits: answers share writes
            }
            unflushed = true;
        }
        else
        {
            server.publishFailuresCounter.increment();
            if (Durability.PENDING == durability)
            {
                sendError(Frames.ERROR_DURABLE_TIMEOUT, "guaranteed message " + sequence + " on '" + topic +
                    "' not journaled within " + TimeUnit.NANOSECONDS.toMillis(server.durableTimeoutNs()) +
                    " ms; it may still become durable");
            }
            else
            {
                sendError(Frames.ERROR_JOURNAL_FAILED, "guaranteed message " + sequence + " on '" + topic + "' " +
                    durability + ": the journal failed before it was durable; it is not accepted");
            }
        }
    }

    private void onHello(final int length) throws IOException
    {
        final int nameLength = length < 3 ? -1 : frameBuffer.getShort(1, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF;
        if (nameLength < 0 || 3 + nameLength > length)
        {
            malformed("HELLO frame of " + length + " with name length " + nameLength);
            return;
        }
        final String name = new String(frame, 3, nameLength, StandardCharsets.UTF_8);
        if (name.isBlank())
        {
            server.badFramesCounter.increment();
            sendError(Frames.ERROR_BAD_HELLO, "HELLO with a blank publisher name");
            return;
        }
        publisher = server.junction().publisher(name);
    }

    private void onSubscribe(final int length) throws IOException
    {
        if (length < 3)
        {
            malformed("SUBSCRIBE frame too short: " + length);
            return;
        }
        final int patternLength = frameBuffer.getShort(1, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF;
        if (3 + patternLength > length)
        {
            malformed("SUBSCRIBE frame with pattern length " + patternLength + " in a frame of " + length);
            return;
        }
        final String pattern = new String(frame, 3, patternLength, StandardCharsets.UTF_8);
        final Delivery delivery = new Delivery();
        try
        {
            final Subscription subscription = server.junction().subscribe(pattern, delivery,
                server.subscriptionOptions().listener(SlowSubscriberJfrEvent.listener(
                    new SubscriptionListener()
                    {
                        @Override
                        public void onTerminated(
                            final Subscription s, final TerminationReason reason, final Throwable cause)
                        {
                            if (reason == TerminationReason.SLOW_CONSUMER)
                            {
                                sendErrorQuietly(Frames.ERROR_SUBSCRIBE_REFUSED,
                                    "subscription '" + s.pattern() + "' disconnected: slow consumer");
                            }
                        }
                    })));
            delivery.subscription = subscription;
            subscriptions.add(subscription);
            writeFrame(Frames.SUBSCRIBED, pattern);
        }
        catch (final InvalidTopicException | IllegalStateException ex)
        {
            sendError(Frames.ERROR_SUBSCRIBE_REFUSED, "subscribe '" + pattern + "' refused: " + ex.getMessage());
        }
    }

    private void malformed(final String text) throws IOException
    {
        server.badFramesCounter.increment();
        sendError(Frames.ERROR_MALFORMED, text);
    }

    private void sendError(final int code, final String text) throws IOException
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        final int textLength = Math.min(bytes.length, 0xFFFF);
        synchronized (out)
        {
            out.writeInt(1 + 4 + 2 + textLength);
            out.writeByte(Frames.ERROR);
            out.writeInt(code);
            out.writeShort(textLength);
            out.write(bytes, 0, textLength);
            out.flush();
        }
    }

    private void sendErrorQuietly(final int code, final String text)
    {
        try
        {
            sendError(code, text);
        }
        catch (final IOException ignore)
        {
            // The client is gone.
        }
    }

    private void writeFrame(final byte type, final String text) throws IOException
    {
        final byte[] bytes = null == text ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
        synchronized (out)
        {
            out.writeInt(1 + (null == text ? 0 : 2 + bytes.length));
            out.writeByte(type);
            if (null != text)
            {
                out.writeShort(bytes.length);
                out.write(bytes);
            }
            out.flush();
        }
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (final Subscription subscription : subscriptions)
        {
            CloseHelper.quietClose(subscription);
        }
        synchronized (out)
        {
            try
            {
                out.flush();
            }
            catch (final IOException ignore)
            {
                // The client is gone.
            }
        }
        CloseHelper.quietClose(socket);
        server.onClosed(this);
    }

    /**
     * Writes each delivered message as a MESSAGE frame; flushes when nothing more is queued, so a burst
     * goes out in few writes and a lone message goes out at once.
     */
    private final class Delivery implements MessageHandler
    {
        volatile Subscription subscription;

        @Override
        public void onMessage(final Message message)
        {
            if (closed)
            {
                return;
            }
            final byte[] topic = message.topic().getBytes(StandardCharsets.UTF_8);
            final int length = message.length();
            try
            {
                synchronized (out)
                {
                    message.buffer().getBytes(message.offset(), deliveryScratch, 0, length);
                    out.writeInt(1 + 8 + 1 + 2 + topic.length + length);
                    out.writeByte(Frames.MESSAGE);
                    out.writeLong(message.sequence());
                    out.writeByte(message.priority().ordinal());
                    out.writeShort(topic.length);
                    out.write(topic);
                    out.write(deliveryScratch, 0, length);
                    final Subscription s = subscription;
                    // The outbox may still count the message in hand, so <= 1 means nothing more is queued.
                    if (null == s || s.queueDepth() <= 1)
                    {
                        out.flush();
                    }
                }
            }
            catch (final IOException ex)
            {
                // The client is gone: end its connection (and so this subscription) off this thread.
                final Thread closer = new Thread(ProtocolConnection.this::close, "junction-protocol-close");
                closer.setDaemon(true);
                closer.start();
            }
        }
    }
}
