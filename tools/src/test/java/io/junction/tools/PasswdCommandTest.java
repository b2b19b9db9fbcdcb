package io.junction.tools;

import io.junction.security.PasswordHash;
import io.junction.security.TokenHash;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PasswdCommandTest
{
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void hashesThePasswordFromStdin()
    {
        assertEquals(0, run("s3cret pass\n", "--iterations", "2000"));
        final String line = out.toString(StandardCharsets.UTF_8).trim();
        assertTrue(line.startsWith("pbkdf2-sha256$2000$"), line);
        assertTrue(PasswordHash.parse(line).matches("s3cret pass".toCharArray()));
    }

    @Test
    void hashesATokenAndGeneratesOne()
    {
        assertEquals(0, run("tok-abc\r\n", "--token"));
        assertArrayEquals(TokenHash.digest("tok-abc".getBytes(StandardCharsets.UTF_8)),
            TokenHash.parse(out.toString(StandardCharsets.UTF_8).trim()));

        out.reset();
        assertEquals(0, run("", "--generate-token"));
        final String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        final String token = lines[0].substring("token: ".length());
        assertArrayEquals(TokenHash.digest(token.getBytes(StandardCharsets.UTF_8)), TokenHash.parse(lines[1].trim()));
    }

    @Test
    void noPasswordOrTooFewIterationsIsAPlainError()
    {
        assertEquals(1, run(""));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no password given"), err.toString());
        assertEquals(2, run("x\n", "--iterations", "10"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("at least 1000"), err.toString());
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    private int run(final String stdin, final String... args)
    {
        final PasswdCommand command = new PasswdCommand();
        command.in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
        command.console = null;
        return new CommandLine(command).execute(args);
    }
}
