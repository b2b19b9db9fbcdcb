package io.junction.protocol;

/**
 * What a queue group's name may be on the wire (the SUBSCRIBE frame's {@code queueGroup}): 1 to
 * {@link #MAX_LENGTH} printable ASCII characters without spaces. Checked alike by the client, before it sends,
 * and by the daemon, which answers ERROR INVALID_FIELD naming the field.
 */
public final class QueueGroupNames
{
    public static final int MAX_LENGTH = 128;

    private QueueGroupNames()
    {
    }

    /**
     * @return null when the name is valid, else what is wrong with it.
     */
    public static String problem(final CharSequence name)
    {
        if (null == name || 0 == name.length())
        {
            return "is empty";
        }
        if (name.length() > MAX_LENGTH)
        {
            return "has " + name.length() + " characters, more than " + MAX_LENGTH;
        }
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            if (c <= ' ' || c > '~')
            {
                return "has the character 0x" + Integer.toHexString(c) + " at " + i +
                    " (printable ASCII without spaces only)";
            }
        }
        return null;
    }
}
