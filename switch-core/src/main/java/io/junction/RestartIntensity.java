package io.junction;

/**
 * An OTP supervisor's restart intensity: more than {@code maxRestarts} faults within a window of
 * {@code windowNs} means the child is beyond help.
 */
final class RestartIntensity
{
    private final long windowNs;
    private final long[] faultTimes;
    private int next;
    private long recorded;

    RestartIntensity(final int maxRestarts, final long windowNs)
    {
        this.windowNs = windowNs;
        this.faultTimes = new long[maxRestarts + 1];
    }

    /**
     * @return true if this fault exceeds the intensity, so the subscription must be terminated.
     */
    boolean onFault(final long nowNs)
    {
        faultTimes[next] = nowNs;
        next = (next + 1) % faultTimes.length;
        recorded++;
        if (recorded < faultTimes.length)
        {
            return false;
        }
        final long oldest = faultTimes[next];
        return nowNs - oldest <= windowNs;
    }
}
