package io.junction.tools;

/**
 * A configuration the daemon cannot start with: the message names the key and the problem.
 */
public final class ConfigException extends RuntimeException
{
    public ConfigException(final String message)
    {
        super(message);
    }
}
