package io.junction;

/**
 * A handler of a subscription under {@link SlowSubscriberPolicy#BACK_PRESSURE} that can tell, before it is handed a
 * message, that it has no room for it now. On the pipeline ({@link DeliveryThread#PIPELINE}) the shard then holds the
 * message and offers it again on a later cycle, as it does for a full outbox; in {@link ThreadingMode#INVOKER} mode a
 * subscription delivered by the shared agents (a queue-group member) leaves it in its outbox, which the agent offers
 * again on its next cycle (a full outbox then holds the shard, or the group gives its other members the rest).
 * Either way the handler does not wait for room on the thread that delivers: needed when that thread is also the one
 * that makes the room (the switch run on the caller's duty cycle, {@link ThreadingMode#INVOKER}).
 */
public interface RoomAwareHandler extends MessageHandler
{
    /**
     * On the shard's thread, before {@link #onMessage}; no side effects.
     *
     * @return false to have the shard hold {@code message} and offer it again later.
     */
    boolean hasRoomFor(Message message);
}
