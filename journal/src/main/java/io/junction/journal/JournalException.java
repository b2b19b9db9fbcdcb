package io.junction.journal;

/**
 * The journal cannot do what was asked: it says why, and what keeps working.
 */
public class JournalException extends RuntimeException
{
    public JournalException(final String message)
    {
        super(message);
    }

    public JournalException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
