package io.junction;

/**
 * A topic or pattern that breaks the syntax rules, with the rule it breaks.
 */
public final class InvalidTopicException extends IllegalArgumentException
{
    private final RejectReason reason;

    public InvalidTopicException(final RejectReason reason, final String text)
    {
        super("invalid topic or pattern '" + text + "': " + reason + " (" + reason.description() + ")");
        this.reason = reason;
    }

    public RejectReason reason()
    {
        return reason;
    }
}
