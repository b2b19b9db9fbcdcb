package io.junction.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Protected mode through the real launcher: an open daemon bound off loopback does not start.
 */
class ProtectedModeProcessTest
{
    @TempDir
    File tmp;

    @Test
    @Timeout(120)
    void anOpenNonLoopbackBindExitsWithTheKeyNamed() throws Exception
    {
        final File config = new File(tmp, "open.conf");
        Files.writeString(config.toPath(), "dir = \"" + new File(tmp, "data") + "\"\nlisten { host = \"0.0.0.0\", port = 0 }\n" +
            "http.port = 0\n");
        final File out = new File(tmp, "out.txt");

        assertEquals(RunCommand.EXIT_CONFIG, JunctionProcess.run(out, "run", "--config", config.getPath()));

        final String output = Files.readString(out.toPath());
        assertTrue(output.contains("protected mode: 'listen.host = 0.0.0.0'"), output);
        assertTrue(output.contains("security.allow-unauthenticated-non-loopback"), output);
        assertFalse(output.contains("\tat "), "no stack trace for a config mistake: " + output);
        assertFalse(new File(tmp, "data").exists(), "refused before anything was created");
    }
}
