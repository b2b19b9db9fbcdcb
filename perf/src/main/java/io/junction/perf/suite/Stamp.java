package io.junction.perf.suite;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The header every benchmark message starts with: the intended send time (System.nanoTime of the
 * schedule, not of the actual send, so that a stalled publisher cannot hide latency: no coordinated
 * omission) and the id of the run it belongs to (warm-up and earlier runs are not recorded).
 */
public final class Stamp
{
    public static final int INTENDED_SEND_NS_OFFSET = 0;
    public static final int RUN_ID_OFFSET = 8;
    public static final int HEADER_LENGTH = 12;

    private Stamp()
    {
    }

    public static void write(final MutableDirectBuffer buffer, final long intendedSendNs, final int runId)
    {
        buffer.putLong(INTENDED_SEND_NS_OFFSET, intendedSendNs, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(RUN_ID_OFFSET, runId, ByteOrder.LITTLE_ENDIAN);
    }

    public static long intendedSendNs(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + INTENDED_SEND_NS_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public static int runId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + RUN_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public static long intendedSendNs(final byte[] bytes)
    {
        long value = 0;
        for (int i = 7; i >= 0; i--)
        {
            value = (value << 8) | (bytes[INTENDED_SEND_NS_OFFSET + i] & 0xFFL);
        }
        return value;
    }

    public static int runId(final byte[] bytes)
    {
        int value = 0;
        for (int i = 3; i >= 0; i--)
        {
            value = (value << 8) | (bytes[RUN_ID_OFFSET + i] & 0xFF);
        }
        return value;
    }
}
