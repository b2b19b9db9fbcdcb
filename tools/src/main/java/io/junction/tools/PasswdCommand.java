package io.junction.tools;

import io.junction.security.PasswordHash;
import io.junction.security.TokenHash;

import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code junction passwd}: print the config line for a password or a token. The secret is read from the console
 * (asked twice, not echoed) or from the first line of stdin, never from the command line, where other users
 * could read it in the process list.
 */
@Command(name = "passwd", mixinStandardHelpOptions = true,
    description = {
        "Print a password hash for security.users.<name>.password-hash, reading the password from the console or " +
            "the first line of stdin.",
        "With --token, hash a token the same way for security.tokens.<name>.hash; with --generate-token, make a " +
            "random token and print it, then its hash." })
public final class PasswdCommand implements Callable<Integer>
{
    @Option(names = "--iterations", paramLabel = "N",
        description = "PBKDF2 iterations (default ${DEFAULT-VALUE}; at least " + PasswordHash.MIN_ITERATIONS + ").")
    int iterations = PasswordHash.DEFAULT_ITERATIONS;

    @Option(names = "--token", description = "Hash a token (SHA-256) read like a password.")
    boolean token;

    @Option(names = "--generate-token", description = "Generate a random 32-byte token; print it and its hash.")
    boolean generateToken;

    InputStream in = System.in;
    PrintStream out = System.out;
    PrintStream err = System.err;
    Console console = System.console();

    @Override
    public Integer call()
    {
        if (generateToken)
        {
            final byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            final String value = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            out.println("token: " + value);
            out.println(TokenHash.encode(value.getBytes(StandardCharsets.UTF_8)));
            return 0;
        }
        if (iterations < PasswordHash.MIN_ITERATIONS)
        {
            err.println("junction passwd: --iterations must be at least " + PasswordHash.MIN_ITERATIONS);
            return 2;
        }
        final char[] secret;
        try
        {
            secret = null != console ? askTwice() : firstLine(in);
        }
        catch (final IOException ex)
        {
            err.println("junction passwd: " + ex.getMessage());
            return 1;
        }
        if (null == secret || secret.length == 0)
        {
            err.println("junction passwd: no " + (token ? "token" : "password") + " given" +
                (null == console ? " (pipe it on stdin)" : "") + ", or the two entries differ");
            return 1;
        }
        try
        {
            if (token)
            {
                final ByteBuffer bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(secret));
                final byte[] raw = new byte[bytes.remaining()];
                bytes.get(raw);
                out.println(TokenHash.encode(raw));
                Arrays.fill(raw, (byte)0);
            }
            else
            {
                out.println(PasswordHash.create(secret, iterations).encoded());
            }
            return 0;
        }
        finally
        {
            Arrays.fill(secret, '\0');
        }
    }

    private char[] askTwice()
    {
        final String what = token ? "Token" : "Password";
        final char[] first = console.readPassword("%s: ", what);
        final char[] second = console.readPassword("%s again: ", what);
        if (null == first || !Arrays.equals(first, second))
        {
            return null;
        }
        Arrays.fill(second, '\0');
        return first;
    }

    private static char[] firstLine(final InputStream in) throws IOException
    {
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n')
        {
            line.write(b);
        }
        final byte[] bytes = line.toByteArray();
        int length = bytes.length;
        if (length > 0 && bytes[length - 1] == '\r')
        {
            length--;
        }
        final CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(bytes, 0, length));
        Arrays.fill(bytes, (byte)0);
        final char[] secret = new char[chars.remaining()];
        chars.get(secret);
        return secret;
    }
}
