package io.junction;

import org.agrona.DirectBuffer;

/**
 * Fills a {@link Message} flyweight from a frame received over the network, so that a remote subscriber's handler
 * is the same {@link MessageHandler} an embedded one is. For {@code io.junction.client}; applications only read
 * messages.
 */
public final class RemoteMessages
{
    private RemoteMessages()
    {
    }

    /**
     * Point the message at a payload in place (no copy).
     *
     * @param payload the payload from its offset 0 to {@code length}.
     */
    public static void wrap(
        final Message message, final String topic, final long sequence, final Priority priority, final long timestampNs,
        final DirectBuffer payload, final int length)
    {
        message.wrap(topic, sequence, priority, timestampNs, payload, length);
    }

    /**
     * Set the request/reply fields of a message from the wire (null and 0 for none).
     */
    public static void request(final Message message, final String replyTo, final long correlationId)
    {
        message.request(replyTo, correlationId);
    }
}
