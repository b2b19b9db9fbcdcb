/**
 * The embeddable switch: {@link io.junction.Junction} and what it is made of.
 * <p>
 * <b>The path of one message.</b> {@code Junction.offer} (or a {@link io.junction.Publisher}'s) enters the
 * {@code Ingress}, which validates it, lets load regulation ({@link io.junction.regulate.Regulator}) admit it,
 * and copies it into its topic's {@code Shard} ring (a Disruptor ring), waking the shard if it is parked. The
 * shard's agent takes it from the ring, asks its {@code Router} which routes match the topic (the
 * subscription trie behind a cache of recent topics), and its {@code Dispatcher} hands it to them: each
 * route gives an {@code Outbox} (a queue group picks one member's), the outbox queues it by class, and a full
 * outbox meets its subscription's slow-subscriber policy. An outbox that becomes ready puts its subscription
 * in its {@code DeliveryLane}, whose {@code DeliveryAgent} (a shared one by default, or the subscription's own
 * thread) runs the subscription's turn, which calls its {@link io.junction.MessageHandler}.
 * <p>
 * Subscriptions are the {@code Conductor}'s: it makes them, places them on a delivery agent and sends each
 * shard the route commands its agent applies to its router between messages, so routing has one writer
 * and no locks. {@link io.junction.agent.AgentPlacement} puts the agents on threads.
 */
package io.junction;
