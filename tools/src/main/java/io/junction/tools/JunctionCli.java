package io.junction.tools;

import java.io.PrintWriter;
import java.time.Duration;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code junction} command line. A usage mistake exits 2 with one line naming the option and the problem, an
 * error while running exits 1 with its message: never a stack trace for a user's mistake.
 */
@Command(
    name = "junction",
    mixinStandardHelpOptions = true,
    versionProvider = BuildInfo.VersionProvider.class,
    description = "Junction, a soft-real-time message switch.",
    subcommands = {
        RunCommand.class, StatCommand.class, LoadgenCommand.class, AdminCommand.class, DemoCommand.class,
        PasswdCommand.class, VersionCommand.class, ConfigCommand.class, JournalCommand.class, PubCommand.class,
        SubCommand.class, RequestCommand.class, ReplyCommand.class, ClusterCommand.class,
        CommandLine.HelpCommand.class })
public final class JunctionCli
{
    public static void main(final String[] args)
    {
        System.exit(commandLine().execute(args));
    }

    /**
     * @return the command line with Junction's converters and error handling.
     */
    static CommandLine commandLine()
    {
        final CommandLine cli = new CommandLine(new JunctionCli());
        cli.registerConverter(Duration.class, new CliValues.DurationConverter());
        cli.setParameterExceptionHandler(JunctionCli::usageError);
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) ->
        {
            commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": " + describe(ex));
            commandLine.getErr().flush();
            return 1;
        });
        return cli;
    }

    private static int usageError(final CommandLine.ParameterException ex, final String[] args)
    {
        final CommandLine commandLine = ex.getCommandLine();
        final PrintWriter err = commandLine.getErr();
        final String name = commandLine.getCommandSpec().qualifiedName();
        err.println(name + ": " + ex.getMessage());
        if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, err))
        {
            err.println("Try '" + name + " --help' for the options.");
        }
        err.flush();
        return CommandLine.ExitCode.USAGE;
    }

    /**
     * @return the message of an unexpected failure and of its causes, one line, no stack trace.
     */
    static String describe(final Throwable error)
    {
        final StringBuilder sb = new StringBuilder();
        for (Throwable t = error; null != t; t = t.getCause() == t ? null : t.getCause())
        {
            if (sb.length() > 0)
            {
                sb.append(": ");
            }
            sb.append(null == t.getMessage() ? t.getClass().getSimpleName() : t.getMessage());
        }
        return sb.toString();
    }
}
