package io.junction;

/**
 * A handler of a subscription delivered on the pipeline ({@link DeliveryThread#PIPELINE}) under
 * {@link SlowSubscriberPolicy#BACK_PRESSURE} that can tell, before it is handed a message, that it has no room for
 * it now. The shard then holds the message and offers it again on a later cycle, as it does for a full outbox,
 * instead of the handler waiting for room on the shard's thread: needed when that thread is also the one that
 * makes the room (a shard run on the caller's duty cycle, {@link ThreadingMode#INVOKER}).
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
