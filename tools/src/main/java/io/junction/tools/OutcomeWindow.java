package io.junction.tools;

/**
 * A connection's guaranteed publishes awaiting their OUTCOME, in publish order: {@value #CAPACITY} entries of a
 * journal sequence, a publisher sequence and a deadline (96 KiB). A connection takes one from its I/O agent's
 * {@link BufferPool} on its first guaranteed publish and gives it back once every outcome went out and no guaranteed
 * publish came for a timer interval, so a connection that publishes guaranteed now and then holds none while idle,
 * and taking one again allocates nothing while the pool has a spare.
 */
final class OutcomeWindow
{
    /** Guaranteed publishes awaiting their outcome on one connection; a power of two. */
    static final int CAPACITY = 4096;

    final long[] sequence = new long[CAPACITY];
    final long[] publisherSequence = new long[CAPACITY];
    final long[] deadline = new long[CAPACITY];
}
