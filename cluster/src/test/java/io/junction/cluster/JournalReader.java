package io.junction.cluster;

import org.agrona.DirectBuffer;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a member's journal, after the member has stopped, into comparable strings.
 */
final class JournalReader
{
    private JournalReader()
    {
    }

    static List<String> entries(final File dir)
    {
        final List<String> entries = new ArrayList<>();
        try (ChronicleReplicaJournal journal = new ChronicleReplicaJournal(dir))
        {
            journal.read(1, Long.MAX_VALUE,
                (sequence, timestamp, priority, topic, payload, offset, length) ->
                    entries.add(sequence + "|" + timestamp + "|" + priority + "|" + topic + "|" + text(payload, offset, length)));
        }
        return entries;
    }

    private static String text(final DirectBuffer payload, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        payload.getBytes(offset, bytes);
        return new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
