package io.junction.journal;

/**
 * When the journal forces what it appended to the storage device. Every policy survives a crash of the
 * process: an append is in the operating system's page cache (a memory-mapped Chronicle Queue file) as
 * soon as it is written. They differ in what survives a crash of the machine or a power loss.
 */
public enum FlushPolicy
{
    /**
     * {@code msync} after every message: each journaled message survives a power loss; the slowest.
     */
    PER_MESSAGE,

    /**
     * {@code msync} at the end of each batch the journal stage takes from the ring: a message is reported
     * journaled only after its batch reached the device, so it survives a power loss; the cost is shared
     * by the batch (large under load, one message when idle).
     */
    PER_BATCH,

    /**
     * Leave write-back to the operating system (the default): survives a crash of the process, not of the
     * machine; what the OS had not written back (typically up to ~30 s) is lost on power loss. The fastest.
     */
    OS
}
