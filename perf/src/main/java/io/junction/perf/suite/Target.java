package io.junction.perf.suite;

import java.nio.file.Path;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Something the suite can run the shared workload through: Junction itself, a limit (a raw library
 * underneath it) or a peer (a broker users would otherwise pick). New targets (Junction remote over the
 * daemon's network protocol, the journaled path, the cluster) implement this and are added to
 * {@link Targets}.
 * <p>
 * Life cycle: {@link #prepare} once (install or start a server, a media driver); then for each workload
 * {@link #open} a connection, run, close it; finally {@link #close}.
 */
public interface Target extends AutoCloseable
{
    enum Kind
    {
        /** Junction itself. */
        JUNCTION,
        /** A library underneath Junction used raw: the ceiling Junction cannot pass. */
        LIMIT,
        /** Another broker on the same workload. */
        PEER
    }

    String name();

    /**
     * A variant of another target (the same software set up differently): run in the full suite only.
     */
    default boolean variant()
    {
        return false;
    }

    /** Seconds this target takes to start (a broker, a daemon), for the time budget. */
    default double startSeconds()
    {
        return 0.5;
    }

    Kind kind();

    /** How a message travels, said plainly: "in-process", "loopback TCP", ... */
    String transport();

    /** What the delivery guarantee of this setup is, for the report's notes. */
    String semantics();

    /**
     * Gets ready to run: starts what the target needs.
     *
     * @param workDir a fresh directory the target owns (and may delete on close).
     * @return null when ready, otherwise why this target is skipped (it is then closed and not used).
     */
    String prepare(Path workDir) throws Exception;

    /**
     * One publisher and {@code receivers.subscribers()} subscribers, connected and ready: when this
     * returns, a message published is delivered to every subscriber.
     */
    Connection open(Workload workload, Receivers receivers) throws Exception;

    /**
     * The server process this target started (a daemon, a broker), for its CPU time per message; null when the
     * target runs in-process.
     */
    default ProcessHandle serverProcess()
    {
        return null;
    }

    /** A version string of the software measured, for the report (server version, library version). */
    String version();

    @Override
    void close() throws Exception;

    /**
     * The publishing side of an open connection. Used by one thread.
     */
    interface Connection extends AutoCloseable
    {
        /**
         * Publishes {@code length} bytes of {@code payload} (which wraps a byte array) to every subscriber.
         *
         * @return false if back-pressured: nothing was sent, try again.
         */
        boolean publish(UnsafeBuffer payload, int length) throws Exception;

        /**
         * Sends what {@link #publish} buffered, for a target whose client buffers (as a network client's writer
         * does). Called when the publisher is about to wait for the next message's time, and at the end of a run.
         */
        default void flush() throws Exception
        {
        }

        @Override
        void close() throws Exception;
    }
}
