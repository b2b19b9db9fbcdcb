package io.junction.tools;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code junction} command line.
 */
@Command(
    name = "junction",
    mixinStandardHelpOptions = true,
    version = "junction 0.1.0",
    description = "Junction, a soft-real-time message switch.",
    subcommands = {
        RunCommand.class, StatCommand.class, LoadgenCommand.class, AdminCommand.class, DemoCommand.class,
        JournalCommand.class })
public final class JunctionCli
{
    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new JunctionCli()).execute(args));
    }
}
