package io.junction.cluster;

/**
 * One subscription in the replicated state: who gets what, and how far it has got.
 */
final class ClusterSubscription
{
    final long subscriptionId;
    final long sessionId;
    final long correlationId;
    final String pattern;
    final String durableName;
    /** The sequence after which the subscription starts: delivery count 0 stands for it. */
    long startSequence;
    /** Deliveries made so far; the next one is numbered count + 1. */
    long count;
    /** Sequence of the last message delivered (or skipped as before the subscription). */
    long lastSequence;
    /**
     * Output only (the leader's, never in a snapshot): the last sequence sent to a Junction protocol subscriber,
     * and whether its egress refused one since, so that it is caught up from the journal before anything live.
     */
    long sentUpTo;
    boolean behind;
    /** Its route in the member's switch (derived state, made again when a snapshot is loaded); none in a group. */
    io.junction.Subscription route;
    /** The queue group it is a member of ("" for none), and how the group shares. */
    String queueGroup = "";
    io.junction.QueueGroupDiscipline discipline = io.junction.QueueGroupDiscipline.BALANCED;
    /** In a group: its assignments not yet confirmed by its client (replicated, in the snapshot). */
    AssignedWindow assigned;
    /** In a group: the group (derived state, joined again when a snapshot is loaded). */
    ClusterQueueGroup group;
    /** In a group: whether it is one of the group's members now (false from its leave on). */
    boolean joined;

    ClusterSubscription(
        final long subscriptionId,
        final long sessionId,
        final long correlationId,
        final String pattern,
        final String durableName)
    {
        this.subscriptionId = subscriptionId;
        this.sessionId = sessionId;
        this.correlationId = correlationId;
        this.pattern = pattern;
        this.durableName = durableName;
    }

    boolean isGroupMember()
    {
        return !queueGroup.isEmpty();
    }

    void joinGroup(final String name, final io.junction.QueueGroupDiscipline discipline, final int window)
    {
        this.queueGroup = name;
        this.discipline = discipline;
        this.assigned = new AssignedWindow(window);
    }

    boolean isDurable()
    {
        return !durableName.isEmpty();
    }
}
