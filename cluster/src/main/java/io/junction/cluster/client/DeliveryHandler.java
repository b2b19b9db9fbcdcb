package io.junction.cluster.client;

import org.agrona.DirectBuffer;

/**
 * Receives the messages of one subscription, each exactly once and in sequence order, on the thread that
 * calls {@link JunctionClient#poll()}. The buffer is valid only during the call.
 */
@FunctionalInterface
public interface DeliveryHandler
{
    void onMessage(String topic, long sequence, int priority, DirectBuffer buffer, int offset, int length);
}
