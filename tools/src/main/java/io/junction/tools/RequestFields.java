package io.junction.tools;

import io.junction.protocol.codecs.PublishDecoder;

/**
 * PUBLISH's key and request/reply correlation id as the switch takes them: a version 1 frame has none (its decoder answers
 * the null value), and 0 means none.
 */
final class RequestFields
{
    private RequestFields()
    {
    }

    static boolean hasCorrelation(final long correlationId)
    {
        return 0 != correlationId && PublishDecoder.correlationIdNullValue() != correlationId;
    }

    /**
     * @return PUBLISH's key as the switch takes it: 0, or a version 2 frame's null value, is none.
     */
    static long key(final long key)
    {
        return 0 == key || PublishDecoder.keyNullValue() == key ? io.junction.Publisher.NO_KEY : key;
    }

    static long correlation(final long correlationId)
    {
        return hasCorrelation(correlationId) ? correlationId : 0;
    }
}
