package io.junction.tools;

import org.agrona.DirectBuffer;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * How the shell tools print a payload: as text when it is valid UTF-8 without control characters (tabs allowed),
 * else as base64. One instance per thread: it keeps a copy buffer and a decoder.
 */
final class PayloadText
{
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private byte[] bytes = new byte[256];
    private int length;

    /**
     * Take a copy of the payload for the calls that follow.
     *
     * @return this.
     */
    PayloadText of(final DirectBuffer buffer, final int offset, final int length)
    {
        if (bytes.length < length)
        {
            bytes = new byte[Math.max(length, bytes.length * 2)];
        }
        buffer.getBytes(offset, bytes, 0, length);
        this.length = length;
        return this;
    }

    /**
     * @return the payload as text, or null if it is not printable UTF-8.
     */
    String text()
    {
        try
        {
            final String text = decoder.decode(ByteBuffer.wrap(bytes, 0, length)).toString();
            for (int i = 0; i < text.length(); i++)
            {
                final char c = text.charAt(i);
                if (Character.isISOControl(c) && c != '\t')
                {
                    return null;
                }
            }
            return text;
        }
        catch (final CharacterCodingException ex)
        {
            return null;
        }
    }

    /**
     * @return the payload decoded as UTF-8 whatever it holds (malformed input replaced).
     */
    String lenientUtf8()
    {
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    String base64()
    {
        return Base64.getEncoder().encodeToString(Arrays.copyOf(bytes, length));
    }
}
