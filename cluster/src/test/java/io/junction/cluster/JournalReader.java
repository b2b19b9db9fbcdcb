package io.junction.cluster;

import io.junction.journal.StartPosition;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a member's journal, after the member has stopped, into comparable strings, with the journal module's
 * own reader (what {@code junction journal dump} uses).
 */
final class JournalReader
{
    private JournalReader()
    {
    }

    static List<String> entries(final File dir)
    {
        final List<String> entries = new ArrayList<>();
        try (io.junction.journal.JournalReader reader = io.junction.journal.JournalReader.open(dir))
        {
            reader.read(StartPosition.earliest(), null, (message) ->
            {
                final byte[] payload = new byte[message.length()];
                message.buffer().getBytes(message.offset(), payload);
                entries.add(message.sequence() + "|" + message.timestampNs() + "|" + message.priority() + "|" +
                    message.topic() + "|" + message.publisherId() + ":" + message.publisherSequence() + "|" +
                    new String(payload, java.nio.charset.StandardCharsets.ISO_8859_1));
                return true;
            });
        }
        return entries;
    }
}
