package io.junction.observe;

/**
 * The latency stages a switch records when given one through {@code Junction.Context.latency(..)}.
 * Without it, the switch records no latency and pays nothing.
 */
public final class SwitchLatency
{
    private final StageLatency offerToRoute = new StageLatency("offer_to_route");
    private final StageLatency offerToDeliver = new StageLatency("offer_to_deliver");

    /**
     * From the offer to the start of the routing batch that took the message from the ring.
     */
    public StageLatency offerToRoute()
    {
        return offerToRoute;
    }

    /**
     * From the offer to the start of the subscriber's delivery duty cycle that handed the message to its
     * handler (the clock is read once per cycle; the handler's own time is not included).
     */
    public StageLatency offerToDeliver()
    {
        return offerToDeliver;
    }

    public StageLatency[] stages()
    {
        return new StageLatency[]{ offerToRoute, offerToDeliver };
    }
}
