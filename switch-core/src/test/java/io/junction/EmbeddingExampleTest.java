package io.junction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * The embedding example of the README, compiled and run. The README's snippet must stay identical to
 * the lines between the markers below.
 */
class EmbeddingExampleTest
{
    @Test
    void theReadmeExampleRuns() throws Exception
    {
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);

        // README-BEGIN
        try (Junction junction = Junction.launch(new Junction.Context()))
        {
            final CountDownLatch received = new CountDownLatch(2);
            junction.subscribe("prices.>", message ->
            {
                out.println(message.topic() + " " + message.buffer().getDouble(message.offset()));
                received.countDown();
            });

            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8]);
            buffer.putDouble(0, 1.0842);
            junction.offer("prices.eur.usd", Priority.HIGH, buffer, 0, 8);
            buffer.putDouble(0, 1.2671);
            junction.offer("prices.gbp.usd", Priority.HIGH, buffer, 0, 8);
            received.await(5, TimeUnit.SECONDS);
        }
        // README-END

        assertEquals("prices.eur.usd 1.0842\nprices.gbp.usd 1.2671\n", captured.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theReadmeShowsThisExample() throws Exception
    {
        final Path source = Path.of("src/test/java/io/junction/EmbeddingExampleTest.java");
        final String text = Files.readString(source);
        final String snippet = text.substring(
            text.indexOf("// README-BEGIN") + "// README-BEGIN".length(), text.indexOf("        // README-END"));
        final String readme = Files.readString(Path.of("../README.md"));
        final String unindented = snippet.strip().lines()
            .map(line -> line.isBlank() ? "" : line.substring(Math.min(8, line.length() - line.stripLeading().length())))
            .reduce("", (a, b) -> a + b + "\n");
        assertTrue(readme.contains(unindented), "README.md must contain the example exactly:\n" + unindented);
    }
}
