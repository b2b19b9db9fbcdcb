package io.junction.cluster;

import io.junction.client.Transport;
import io.junction.cluster.client.ClusterTransport;
import io.junction.protocol.ProtocolFrames;
import io.junction.protocol.codecs.ErrorDecoder;
import io.junction.protocol.codecs.OutcomeCode;
import io.junction.protocol.codecs.OutcomeDecoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link ClusterTransport} that a test can also send frames of its own through (bad ones, resends the client
 * would not make), and that records every ERROR the cluster answers ({@code CODE:correlation}) and counts the
 * OUTCOMEs that refuse a publish or say the log had it already, before the client sees them. Used on the client's thread, as the client is.
 */
final class RawFrames implements Transport
{
    private final ClusterTransport transport;
    private final ErrorDecoder error = new ErrorDecoder();
    private final OutcomeDecoder outcome = new OutcomeDecoder();
    final List<String> errors = new ArrayList<>();
    /** OUTCOMEs other than DURABLE, as {@code OUTCOME:publisherSequence}. */
    final List<String> refused = new ArrayList<>();
    long duplicates;
    private FrameSink sink;
    private final FrameSink recording = this::onFrame;

    RawFrames(final ClusterTransport transport)
    {
        this.transport = transport;
    }

    /**
     * @return false while the send buffer has no room (poll the client and try again).
     */
    boolean offer(final DirectBuffer frame, final int offset, final int length)
    {
        final int at = transport.claim(length);
        if (at < 0)
        {
            return false;
        }
        transport.buffer().putBytes(at, frame, offset, length);
        transport.commit(at, length);
        return true;
    }

    private void onFrame(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length >= ProtocolFrames.HEADER_LENGTH + ErrorDecoder.BLOCK_LENGTH &&
            ProtocolFrames.SCHEMA_ID == ProtocolFrames.schemaId(buffer, offset) &&
            ErrorDecoder.TEMPLATE_ID == ProtocolFrames.templateId(buffer, offset))
        {
            error.wrap(buffer, offset + ProtocolFrames.HEADER_LENGTH, ProtocolFrames.blockLength(buffer, offset),
                ProtocolFrames.version(buffer, offset));
            errors.add(error.code() + ":" + error.correlation());
        }
        else if (length >= ProtocolFrames.HEADER_LENGTH + OutcomeDecoder.BLOCK_LENGTH &&
            ProtocolFrames.SCHEMA_ID == ProtocolFrames.schemaId(buffer, offset) &&
            OutcomeDecoder.TEMPLATE_ID == ProtocolFrames.templateId(buffer, offset))
        {
            outcome.wrap(buffer, offset + ProtocolFrames.HEADER_LENGTH, ProtocolFrames.blockLength(buffer, offset),
                ProtocolFrames.version(buffer, offset));
            if (OutcomeCode.DURABLE != outcome.outcome())
            {
                refused.add(outcome.outcome() + ":" + outcome.publisherSequence());
            }
            else if (ClientOutcomes.DUPLICATE_CODE == outcome.reasonCode())
            {
                duplicates++;
            }
        }
        sink.onFrame(buffer, offset, length);
    }

    public void events(final Events events)
    {
        transport.events(events);
    }

    public void connect() throws IOException
    {
        transport.connect();
    }

    public boolean finishConnect() throws IOException
    {
        return transport.finishConnect();
    }

    public int claim(final int length)
    {
        return transport.claim(length);
    }

    public MutableDirectBuffer buffer()
    {
        return transport.buffer();
    }

    public void commit(final int offset, final int length)
    {
        transport.commit(offset, length);
    }

    public int pendingBytes()
    {
        return transport.pendingBytes();
    }

    public int flush() throws IOException
    {
        return transport.flush();
    }

    public int poll(final FrameSink sink) throws IOException
    {
        this.sink = sink;
        return transport.poll(recording);
    }

    public String describe()
    {
        return transport.describe();
    }

    public void close()
    {
        transport.close();
    }
}
