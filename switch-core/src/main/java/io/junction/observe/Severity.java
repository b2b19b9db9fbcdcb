package io.junction.observe;

/**
 * How urgent an alarm is, least first.
 */
public enum Severity
{
    INFO, WARNING, MINOR, MAJOR, CRITICAL
}
