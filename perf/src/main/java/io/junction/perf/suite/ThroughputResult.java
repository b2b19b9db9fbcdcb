package io.junction.perf.suite;

/**
 * Messages per second one publisher pushed through to every subscriber, publishing as fast as the target
 * accepts (retrying when back-pressured) for a fixed time, then draining.
 *
 * @param sent         messages the publisher had accepted.
 * @param delivered    messages the slowest subscriber received (within the drain timeout).
 * @param seconds      from the first send to the last receipt.
 * @param msgsPerSec   delivered / seconds: the publisher's rate the target carried to all subscribers.
 */
public record ThroughputResult(
    String target, Target.Kind kind, String transport, Workload workload,
    long sent, long delivered, double seconds, double msgsPerSec)
{
    public double deliveriesPerSec()
    {
        return msgsPerSec * workload.subscribers();
    }

    public double lossFraction()
    {
        return sent == 0 ? 0.0 : 1.0 - (double)delivered / sent;
    }
}
