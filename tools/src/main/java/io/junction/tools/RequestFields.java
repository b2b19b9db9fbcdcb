package io.junction.tools;

import io.junction.protocol.codecs.PublishDecoder;

/**
 * PUBLISH's request/reply correlation id as the switch takes it: a version 1 frame has none (its decoder answers
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

    static long correlation(final long correlationId)
    {
        return hasCorrelation(correlationId) ? correlationId : 0;
    }
}
