package io.junction.perf.suite;

/**
 * Latency at a fixed offered rate, open loop, timed from the intended send time, over all subscribers.
 *
 * @param offeredRate   messages per second the schedule asked for.
 * @param sent          messages published in the measured window.
 * @param scheduled     messages the schedule had for that window.
 * @param delivered     messages the slowest subscriber received (within the drain timeout).
 * @param sendLag       how late the publisher sent, after the intended time (the harness and the OS
 *                      scheduler, plus the target's back pressure): on a loaded machine, much of the latency.
 * @param saturated     the target did not keep up: the publisher fell behind the schedule past the
 *                      deadline, or messages were lost. Its percentiles are then queueing, not service.
 */
public record LatencyResult(
    String target, Target.Kind kind, String transport, Workload workload,
    long offeredRate, long scheduled, long sent, long delivered, Percentiles latency, Percentiles sendLag,
    boolean saturated)
{
}
