package io.junction;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import io.junction.agent.WakeableIdleStrategy;

/**
 * The subscriptions of one delivery agent that have messages waiting, in the order they became ready:
 * an intrusive many-producer (the shards), single-consumer (the agent) queue after Dmitry Vyukov's, so a
 * subscription with nothing to deliver costs its agent nothing and scheduling allocates nothing.
 * <p>
 * A subscription is in the queue at most once (its {@code scheduled} flag). The lane outlives the agent
 * that consumes it: when a handler blocks, the watchdog retires the agent and a new one takes the lane on.
 */
final class DeliveryLane implements WakeableIdleStrategy.Signal
{
    private static final VarHandle HEAD;
    private static final VarHandle NEXT;
    private static final VarHandle PARKED;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            HEAD = lookup.findVarHandle(DeliveryLane.class, "head", Node.class);
            NEXT = lookup.findVarHandle(Node.class, "next", Node.class);
            PARKED = lookup.findVarHandle(DeliveryLane.class, "parked", Thread.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** What the lane links; a subscription is one. */
    abstract static class Node
    {
        volatile Node next;
    }

    private static final class Stub extends Node
    {
    }

    private final int index;
    private final Node stub = new Stub();
    private volatile Node head = stub; // producers swap themselves in here
    private Node tail = stub;          // the consumer's end
    private volatile Thread parked;
    private final InvokerWake invokerWake; // INVOKER mode's wake of the caller, or null

    DeliveryLane(final int index)
    {
        this(index, null);
    }

    DeliveryLane(final int index, final InvokerWake invokerWake)
    {
        this.index = index;
        this.invokerWake = invokerWake;
    }

    int index()
    {
        return index;
    }

    /**
     * Producer side (any thread): append, then wake the agent if it is parked. Only the producer that clears
     * the parked thread unparks it: an unpark is a system call, and until the woken agent runs every push
     * would otherwise make another.
     */
    void push(final Node node)
    {
        append(node);
        wake();
    }

    /**
     * Any thread: unpark the agent if it is parked. Also called ahead of a push that is coming (a publisher
     * that woke a shard wakes the lane that shard last delivered to), so the two wake-ups overlap instead
     * of following each other.
     */
    void wake()
    {
        if (null != invokerWake)
        {
            invokerWake.wake();
            return;
        }
        final Thread parked = this.parked;
        if (null != parked && PARKED.compareAndSet(this, parked, (Thread)null))
        {
            java.util.concurrent.locks.LockSupport.unpark(parked);
        }
    }

    @Override
    public boolean wasWoken()
    {
        return null == parked;
    }

    private void append(final Node node)
    {
        NEXT.setRelease(node, (Node)null);
        final Node previous = (Node)HEAD.getAndSet(this, node);
        NEXT.setRelease(previous, node);
    }

    /**
     * Consumer side: the next ready node, or null if none is ready (or one is half appended; it is seen on
     * a later call).
     */
    Node poll()
    {
        Node tail = this.tail;
        Node next = tail.next;
        if (tail == stub)
        {
            if (null == next)
            {
                return null;
            }
            this.tail = next;
            tail = next;
            next = next.next;
        }
        if (null != next)
        {
            this.tail = next;
            return tail;
        }
        if (tail != head)
        {
            return null;
        }
        append(stub);
        next = tail.next;
        if (null != next)
        {
            this.tail = next;
            return tail;
        }
        return null;
    }

    /**
     * The consumer is about to park (or has woken): producers unpark it after each push while set.
     */
    @Override
    public void parked(final Thread thread)
    {
        parked = thread;
    }

    /**
     * Consumer side, after {@link #parked}: a push that came first has swapped the head (a full fence), so
     * it is seen here; one that comes later sees the parked thread and unparks it.
     */
    @Override
    public boolean hasWork()
    {
        return tail != stub || head != stub;
    }
}
