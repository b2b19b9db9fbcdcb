package io.junction;

/**
 * The class of a message. Load regulation sheds from the bottom of this list first; {@link #CRITICAL}
 * is never shed while capacity remains.
 */
public enum Priority
{
    CRITICAL,
    HIGH,
    NORMAL,
    BULK;

    private static final Priority[] VALUES = values();

    public static Priority get(final int ordinal)
    {
        return VALUES[ordinal];
    }
}
