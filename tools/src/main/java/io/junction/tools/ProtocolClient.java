package io.junction.tools;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.SlowSubscriberPolicy;
import io.junction.security.AuthenticationMethod;
import io.junction.protocol.FrameDispatcher;
import io.junction.protocol.FrameHandler;
import io.junction.protocol.ProtocolFrames;
import io.junction.protocol.codecs.AuthenticationMethodCode;
import io.junction.protocol.codecs.CoalescedRefusalDecoder;
import io.junction.protocol.codecs.CreditEncoder;
import io.junction.protocol.codecs.EndReasonCode;
import io.junction.protocol.codecs.ErrorCode;
import io.junction.protocol.codecs.ErrorDecoder;
import io.junction.protocol.codecs.HelloEncoder;
import io.junction.protocol.codecs.MessageDecoder;
import io.junction.protocol.codecs.MessageHeaderEncoder;
import io.junction.protocol.codecs.OutcomeCode;
import io.junction.protocol.codecs.OutcomeDecoder;
import io.junction.protocol.codecs.PingDecoder;
import io.junction.protocol.codecs.PingEncoder;
import io.junction.protocol.codecs.PongDecoder;
import io.junction.protocol.codecs.PongEncoder;
import io.junction.protocol.codecs.PriorityCode;
import io.junction.protocol.codecs.PublishEncoder;
import io.junction.protocol.codecs.QualityOfServiceCode;
import io.junction.protocol.codecs.QueueGroupDisciplineCode;
import io.junction.protocol.codecs.SlowSubscriberPolicyCode;
import io.junction.protocol.codecs.StartPositionKind;
import io.junction.protocol.codecs.SubscribeEncoder;
import io.junction.protocol.codecs.SubscribedDecoder;
import io.junction.protocol.codecs.UnsubscribeEncoder;
import io.junction.protocol.codecs.UnsubscribedDecoder;
import io.junction.protocol.codecs.WelcomeDecoder;

/**
 * The daemon's own small client of the Junction protocol (for {@code loadgen}, the perf suite and the tests; the
 * client library is {@code io.junction.client}): a blocking socket, frames encoded and decoded with the generated
 * codecs. Writes may come from any thread (they share a lock, as the reader answers the server's PINGs); one
 * thread reads. A connection says HELLO when it opens, unless made with {@link #raw}.
 */
public final class ProtocolClient implements AutoCloseable
{
    /**
     * What the daemon sent.
     */
    public interface FrameListener
    {
        default void onWelcome(final long sessionId, final String principal, final String publisher)
        {
        }

        default void onMessage(
            final long subscriptionId, final long sequence, final Priority priority, final String topic,
            final DirectBuffer buffer, final int offset, final int length)
        {
        }

        /**
         * A message with its request/reply fields (replyTo null and correlationId 0 when none); by default as the
         * one without them.
         */
        default void onMessage(
            final long subscriptionId, final long sequence, final Priority priority, final String topic,
            final long correlationId, final String replyTo, final DirectBuffer buffer, final int offset,
            final int length)
        {
            onMessage(subscriptionId, sequence, priority, topic, buffer, offset, length);
        }

        /**
         * @param correlation the subscription id or publisher sequence it is about, or -1.
         */
        default void onError(final ErrorCode code, final long correlation, final String text)
        {
        }

        default void onPong(final long value)
        {
        }

        default void onSubscribed(final long subscriptionId, final String pattern)
        {
        }

        default void onUnsubscribed(
            final long subscriptionId, final EndReasonCode reason, final long delivered, final long dropped)
        {
        }

        /**
         * What became of an accepted guaranteed publish (DURABLE, FAILED or TIMED_OUT).
         */
        default void onOutcome(
            final long publisherSequence, final long sequence, final OutcomeCode outcome, final int reasonCode)
        {
        }

        /**
         * A run of {@code count} publishes, numbered first..last, refused alike.
         *
         * @param reasonCode the switch's {@link io.junction.OfferResult} code.
         */
        default void onRefused(
            final long count, final long firstPublisherSequence, final long lastPublisherSequence,
            final OutcomeCode outcome, final int reasonCode, final String text)
        {
        }
    }

    private static final int MAX_INCOMING_FRAME = 64 << 20;
    private static final PriorityCode[] PRIORITY_CODES = {
        PriorityCode.CRITICAL, PriorityCode.HIGH, PriorityCode.NORMAL, PriorityCode.BULK };
    private static final Priority[] PRIORITIES = Priority.values();

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final Object writeLock = new Object();
    private UnsafeBuffer scratch = new UnsafeBuffer(new byte[64 * 1024]);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final HelloEncoder helloEncoder = new HelloEncoder();
    private final PublishEncoder publishEncoder = new PublishEncoder();
    private final SubscribeEncoder subscribeEncoder = new SubscribeEncoder();
    private final UnsubscribeEncoder unsubscribeEncoder = new UnsubscribeEncoder();
    private final CreditEncoder creditEncoder = new CreditEncoder();
    private final PingEncoder pingEncoder = new PingEncoder();
    private final PongEncoder pongEncoder = new PongEncoder();
    private long publisherSequence;
    private long subscriptionIds;

    private byte[] frame = new byte[64 * 1024];
    private final UnsafeBuffer frameBuffer = new UnsafeBuffer(frame);
    private final FrameDispatcher dispatcher = new FrameDispatcher(MAX_INCOMING_FRAME);
    private final Reader reader = new Reader();
    private final ProtocolConnection.TopicCache topics = new ProtocolConnection.TopicCache();

    /**
     * Connect and say HELLO; the daemon names the connection's publisher ({@code conn-<port>}).
     */
    public ProtocolClient(final String host, final int port) throws IOException
    {
        this(host, port, "");
    }

    /**
     * Connect and say HELLO as {@code instance}: the connection's publisher for regulation rules (with
     * authentication on, {@code principal/instance}).
     */
    public ProtocolClient(final String host, final int port, final String instance) throws IOException
    {
        this(connect(host, port));
        hello(instance, ProtocolFrames.VERSION, 0);
    }

    private ProtocolClient(final Socket socket) throws IOException
    {
        this.socket = socket;
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
        out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    }

    /**
     * Connect without saying HELLO (to test the daemon's handling of clients that do not).
     */
    public static ProtocolClient raw(final String host, final int port) throws IOException
    {
        return new ProtocolClient(connect(host, port));
    }

    /**
     * Connect without saying HELLO, with a small socket receive buffer (tests of clients that do not read).
     */
    static ProtocolClient raw(final String host, final int port, final int receiveBufferBytes) throws IOException
    {
        return new ProtocolClient(connect(host, port, receiveBufferBytes));
    }

    private static Socket connect(final String host, final int port) throws IOException
    {
        return connect(host, port, 0);
    }

    private static Socket connect(final String host, final int port, final int receiveBufferBytes) throws IOException
    {
        final Socket socket = new Socket();
        try
        {
            if (receiveBufferBytes > 0)
            {
                socket.setReceiveBufferSize(receiveBufferBytes);
            }
            socket.connect(new InetSocketAddress(host, port), 10_000);
            socket.setTcpNoDelay(true);
        }
        catch (final IOException ex)
        {
            socket.close();
            throw ex;
        }
        return socket;
    }

    /**
     * Say HELLO (sent at once).
     *
     * @param version             the highest protocol version to claim.
     * @param heartbeatIntervalMs the PING interval to ask for; 0 for the server's.
     */
    public void hello(final String instance, final int version, final long heartbeatIntervalMs) throws IOException
    {
        hello(instance, version, heartbeatIntervalMs, AuthenticationMethod.NONE, "", new byte[0]);
    }

    /**
     * Say HELLO with credentials (sent at once).
     *
     * @param secret the password or token bytes.
     */
    public void hello(
        final String instance, final int version, final long heartbeatIntervalMs, final AuthenticationMethod method,
        final String user, final byte[] secret) throws IOException
    {
        synchronized (writeLock)
        {
            helloEncoder.wrapAndApplyHeader(scratch, ProtocolFrames.LENGTH_PREFIX, header)
                .protocolVersion(version)
                .authenticationMethod(AuthenticationMethodCode.get((short)method.ordinal()))
                .heartbeatIntervalMs(heartbeatIntervalMs)
                .instance(instance)
                .user(user)
                .putSecret(secret, 0, secret.length);
            writeScratch(helloEncoder.encodedLength());
            out.flush();
        }
    }

    /**
     * Buffer a best-effort PUBLISH; {@link #flush()} sends.
     *
     * @return its publisher sequence (1, 2, 3... per connection), which refusals name.
     */
    public long publish(final String topic, final Priority priority, final byte[] payload, final int offset,
        final int length) throws IOException
    {
        return publish(topic, priority, QualityOfService.BEST_EFFORT, payload, offset, length);
    }

    /**
     * Buffer a PUBLISH; a guaranteed one is answered OUTCOME (or refused), a best-effort one only if refused.
     *
     * @return its publisher sequence.
     */
    public long publish(final String topic, final Priority priority, final QualityOfService qos, final byte[] payload,
        final int offset, final int length) throws IOException
    {
        synchronized (writeLock)
        {
            final long sequence = ++publisherSequence;
            encodePublish(topic, priority, qos, payload, offset, length, sequence);
            return sequence;
        }
    }

    /**
     * Buffer a PUBLISH with a publisher sequence of the caller's: the resend of an idempotent guaranteed publish
     * (after a reconnect, as the same instance) carries its original sequence. The connection's own numbering is
     * not changed.
     */
    public void publish(final String topic, final Priority priority, final QualityOfService qos, final byte[] payload,
        final int offset, final int length, final long publisherSequence) throws IOException
    {
        synchronized (writeLock)
        {
            encodePublish(topic, priority, qos, payload, offset, length, publisherSequence);
        }
    }

    /**
     * Buffer a request: a best-effort PUBLISH with a reply topic and a correlation id (or a reply: replyTo null,
     * the request's correlation id).
     *
     * @return its publisher sequence.
     */
    public long request(final String topic, final Priority priority, final QualityOfService qos, final String replyTo,
        final long correlationId, final byte[] payload, final int offset, final int length) throws IOException
    {
        synchronized (writeLock)
        {
            final long sequence = ++publisherSequence;
            encodePublish(topic, priority, qos, payload, offset, length, sequence, replyTo, correlationId);
            return sequence;
        }
    }

    private void encodePublish(final String topic, final Priority priority, final QualityOfService qos,
        final byte[] payload, final int offset, final int length, final long sequence) throws IOException
    {
        encodePublish(topic, priority, qos, payload, offset, length, sequence, null, 0);
    }

    private void encodePublish(final String topic, final Priority priority, final QualityOfService qos,
        final byte[] payload, final int offset, final int length, final long sequence, final String replyTo,
        final long correlationId) throws IOException
    {
        {
            final int needed = ProtocolFrames.LENGTH_PREFIX + ProtocolFrames.HEADER_LENGTH + PublishEncoder.BLOCK_LENGTH +
                2 + topic.length() + 4 + length + 2 + (null == replyTo ? 0 : replyTo.length());
            if (needed > scratch.capacity())
            {
                scratch = new UnsafeBuffer(new byte[needed]);
            }
            publishEncoder.wrapAndApplyHeader(scratch, ProtocolFrames.LENGTH_PREFIX, header)
                .publisherSequence(sequence)
                .priority(PRIORITY_CODES[priority.ordinal()])
                .qualityOfService(qos == QualityOfService.GUARANTEED ?
                    QualityOfServiceCode.GUARANTEED : QualityOfServiceCode.BEST_EFFORT)
                .ttlNs(0)
                .correlationId(correlationId)
                .key(0)
                .topic(topic)
                .putPayload(payload, offset, length)
                .replyTo(replyTo);
            writeScratch(publishEncoder.encodedLength());
        }
    }

    /**
     * Subscribe (sent at once) with the daemon's slow-subscriber policy and no flow control.
     *
     * @return the subscription's id, which SUBSCRIBED and its MESSAGE frames carry.
     */
    public long subscribe(final String pattern) throws IOException
    {
        return subscribe(pattern, null, -1);
    }

    /**
     * @param policy        null for the daemon's.
     * @param initialCredit messages the daemon may send before a {@link #credit}; -1 for no flow control.
     */
    public long subscribe(final String pattern, final SlowSubscriberPolicy policy, final long initialCredit)
        throws IOException
    {
        return subscribe(pattern, policy, initialCredit, "");
    }

    /**
     * @param queueGroup empty for none; sent as given (the daemon checks it).
     */
    public long subscribe(final String pattern, final SlowSubscriberPolicy policy, final long initialCredit,
        final String queueGroup) throws IOException
    {
        return subscribe(pattern, policy, initialCredit, 0, queueGroup);
    }

    /**
     * @param initialCriticalCredit CRITICAL messages the daemon may send before a CRITICAL credit
     *                              ({@link #credit(long, long, long)}), apart from {@code initialCredit}; 0: CRITICAL
     *                              spends {@code initialCredit} with the other classes.
     */
    public long subscribe(final String pattern, final SlowSubscriberPolicy policy, final long initialCredit,
        final long initialCriticalCredit, final String queueGroup) throws IOException
    {
        synchronized (writeLock)
        {
            final long id = ++subscriptionIds;
            subscribeEncoder.wrapAndApplyHeader(scratch, ProtocolFrames.LENGTH_PREFIX, header)
                .subscriptionId(id)
                .startPositionKind(StartPositionKind.NEW)
                .startPositionValue(0)
                .initialCredit(initialCredit)
                .queueGroupDiscipline(QueueGroupDisciplineCode.BALANCED)
                .initialCriticalCredit(initialCriticalCredit)
                .slowSubscriberPolicy(null == policy ? SlowSubscriberPolicyCode.SERVER_DEFAULT :
                    SlowSubscriberPolicyCode.get((short)(policy.ordinal() + 1)))
                .pattern(pattern)
                .queueGroup(queueGroup)
                .durableName("");
            writeScratch(subscribeEncoder.encodedLength());
            out.flush();
            return id;
        }
    }

    public void unsubscribe(final long subscriptionId) throws IOException
    {
        synchronized (writeLock)
        {
            unsubscribeEncoder.wrapAndApplyHeader(scratch, ProtocolFrames.LENGTH_PREFIX, header)
                .subscriptionId(subscriptionId);
            writeScratch(unsubscribeEncoder.encodedLength());
            out.flush();
        }
    }

    public void credit(final long subscriptionId, final long credit) throws IOException
    {
        credit(subscriptionId, credit, 0);
    }

    /**
     * @param criticalCredit more CRITICAL messages, for a subscription with a CRITICAL credit (else added to its credit).
     */
    public void credit(final long subscriptionId, final long credit, final long criticalCredit) throws IOException
    {
        synchronized (writeLock)
        {
            creditEncoder.wrapAndApplyHeader(scratch, ProtocolFrames.LENGTH_PREFIX, header)
                .subscriptionId(subscriptionId)
                .credit(credit)
                .criticalCredit(criticalCredit);
            writeScratch(creditEncoder.encodedLength());
            out.flush();
        }
    }

    /**
     * PING (sent at once); the PONG comes after every earlier frame was answered.
     */
    public void ping() throws IOException
    {
        ping(System.nanoTime());
    }

    public void ping(final long value) throws IOException
    {
        synchronized (writeLock)
        {
            pingEncoder.wrapAndApplyHeader(scratch, ProtocolFrames.LENGTH_PREFIX, header).value(value);
            writeScratch(pingEncoder.encodedLength());
            out.flush();
        }
    }

    private void pong(final long value) throws IOException
    {
        synchronized (writeLock)
        {
            pongEncoder.wrapAndApplyHeader(scratch, ProtocolFrames.LENGTH_PREFIX, header).value(value);
            writeScratch(pongEncoder.encodedLength());
            out.flush();
        }
    }

    private void writeScratch(final int bodyLength) throws IOException
    {
        final int length = ProtocolFrames.HEADER_LENGTH + bodyLength;
        ProtocolFrames.frameLength(scratch, 0, length);
        out.write(scratch.byteArray(), 0, ProtocolFrames.LENGTH_PREFIX + length);
    }

    /**
     * Send raw bytes at once (to test the daemon's handling of bad input).
     */
    public void writeRaw(final byte[] bytes) throws IOException
    {
        synchronized (writeLock)
        {
            out.write(bytes);
            out.flush();
        }
    }

    /**
     * Send one frame (header and body) behind its length prefix, at once.
     */
    public void writeFrame(final byte[] frameBytes, final int offset, final int length) throws IOException
    {
        synchronized (writeLock)
        {
            final byte[] prefix = new byte[ProtocolFrames.LENGTH_PREFIX];
            ProtocolFrames.frameLength(new UnsafeBuffer(prefix), 0, length);
            out.write(prefix);
            out.write(frameBytes, offset, length);
            out.flush();
        }
    }

    public void flush() throws IOException
    {
        synchronized (writeLock)
        {
            out.flush();
        }
    }

    /**
     * Start a daemon thread that hands every frame to the listener until the connection ends.
     *
     * @return the started thread.
     */
    public Thread startReader(final String threadName, final FrameListener listener)
    {
        return startReader(threadName, listener, () -> {});
    }

    /**
     * Start a daemon thread that hands every frame to the listener until the connection ends (closed by either
     * side), then runs {@code onEnd}.
     *
     * @return the started thread.
     */
    public Thread startReader(final String threadName, final FrameListener listener, final Runnable onEnd)
    {
        final Thread thread = new Thread(() ->
        {
            try
            {
                while (read(listener) != 0)
                {
                    // Until the end of the stream.
                }
            }
            catch (final IOException ex)
            {
                // Closed.
            }
            onEnd.run();
        }, threadName);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /**
     * Block until one frame arrives and hand it to the listener; a PING from the daemon is answered here.
     *
     * @return its template id, or 0 at the end of the stream.
     */
    public int read(final FrameListener listener) throws IOException
    {
        final int length;
        try
        {
            length = Integer.reverseBytes(in.readInt());
        }
        catch (final EOFException ex)
        {
            return 0;
        }
        if (length < ProtocolFrames.HEADER_LENGTH || length > MAX_INCOMING_FRAME)
        {
            throw new IOException("bad frame length from the daemon: " + length);
        }
        if (length > frame.length)
        {
            frame = new byte[length];
            frameBuffer.wrap(frame);
        }
        in.readFully(frame, 0, length);
        reader.listener = listener;
        reader.failure = null;
        final int templateId = dispatcher.dispatch(frameBuffer, 0, length, reader);
        if (null != reader.failure)
        {
            throw reader.failure;
        }
        if (templateId < 0)
        {
            throw new IOException("a frame from the daemon did not decode: " + reader.refusal);
        }
        return templateId;
    }

    public void shutdownOutput() throws IOException
    {
        flush();
        socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }

    /**
     * From the generated decoders to the listener.
     */
    private final class Reader implements FrameHandler
    {
        FrameListener listener;
        String refusal;
        IOException failure;

        @Override
        public void onInvalidFrame(final int errorCode, final DirectBuffer buffer, final int offset, final int length)
        {
            refusal = ProtocolFrames.describeRefusal(errorCode, buffer, offset, length, MAX_INCOMING_FRAME);
        }

        @Override
        public void onInvalidField(final int templateId, final String field, final long value)
        {
            refusal = "template " + templateId + " field " + field + " = " + value;
        }

        @Override
        public void onUnexpected(final int templateId)
        {
            refusal = "template " + templateId + " is not sent by a server";
        }

        @Override
        public void onWelcome(final WelcomeDecoder welcome)
        {
            final long sessionId = welcome.sessionId();
            final String principal = welcome.principal();
            listener.onWelcome(sessionId, principal, welcome.publisher());
        }

        @Override
        public void onPing(final PingDecoder ping)
        {
            try
            {
                pong(ping.value());
            }
            catch (final IOException ex)
            {
                failure = ex;
            }
        }

        @Override
        public void onPong(final PongDecoder pong)
        {
            listener.onPong(pong.value());
        }

        @Override
        public void onError(final ErrorDecoder error)
        {
            final ErrorCode code = FrameDispatcher.errorCode(error.codeRaw());
            final long correlation = error.correlation();
            listener.onError(code, correlation, error.text());
        }

        @Override
        public void onOutcome(final OutcomeDecoder outcome)
        {
            listener.onOutcome(outcome.publisherSequence(), outcome.sequence(), outcome.outcome(), outcome.reasonCode());
        }

        @Override
        public void onCoalescedRefusal(final CoalescedRefusalDecoder refused)
        {
            listener.onRefused(refused.count(), refused.firstPublisherSequence(), refused.lastPublisherSequence(),
                refused.outcome(), refused.reasonCode(), refused.text());
        }

        @Override
        public void onSubscribed(final SubscribedDecoder subscribed)
        {
            final long id = subscribed.subscriptionId();
            subscribed.startSequence();
            listener.onSubscribed(id, subscribed.pattern());
        }

        @Override
        public void onUnsubscribed(final UnsubscribedDecoder unsubscribed)
        {
            listener.onUnsubscribed(unsubscribed.subscriptionId(), unsubscribed.reason(), unsubscribed.delivered(),
                unsubscribed.dropped());
        }

        @Override
        public void onMessage(final MessageDecoder message)
        {
            final long subscriptionId = message.subscriptionId();
            final long sequence = message.sequence();
            final Priority priority = PRIORITIES[message.priorityRaw()];
            final int topicOffset = message.limit() + MessageDecoder.topicHeaderLength();
            final int topicLength = message.topicLength();
            final String topic = topics.lookup(frameBuffer, topicOffset, topicLength);
            message.skipTopic();
            final int payloadOffset = message.limit() + MessageDecoder.payloadHeaderLength();
            final int payloadLength = message.payloadLength();
            message.skipPayload();
            final int replyToLength = message.replyToLength();
            final String replyTo = 0 == replyToLength ? null : frameBuffer.getStringWithoutLengthAscii(
                message.limit() + MessageDecoder.replyToHeaderLength(), replyToLength);
            final long correlationId = message.correlationId();
            listener.onMessage(subscriptionId, sequence, priority, topic,
                MessageDecoder.correlationIdNullValue() == correlationId ? 0 : correlationId, replyTo, frameBuffer,
                payloadOffset, payloadLength);
        }
    }
}
