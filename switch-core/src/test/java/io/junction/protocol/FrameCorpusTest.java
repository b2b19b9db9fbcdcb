package io.junction.protocol;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * Replays the fuzz corpus ({@code FrameDispatcherFuzzTestInputs/dispatch}: a valid frame of every template as
 * seeds, and every input a fuzzing run ever crashed on) through the decode path, in every test run, without
 * starting Jazzer.
 */
class FrameCorpusTest
{
    @Test
    void everyCorpusInputIsDecodedOrRefusedWithoutThrowing() throws IOException, URISyntaxException
    {
        final Path dir = Path.of(FrameCorpusTest.class.getResource("FrameDispatcherFuzzTestInputs/dispatch").toURI());
        final List<Path> inputs;
        try (Stream<Path> files = Files.list(dir))
        {
            inputs = files.sorted().toList();
        }
        assertTrue(inputs.size() >= ProtocolSamples.TEMPLATES.length, inputs::toString);
        final FrameDispatcher dispatcher = new FrameDispatcher(64 * 1024);
        final ProtocolSamples.Reader reader = new ProtocolSamples.Reader();
        int decoded = 0;
        for (final Path input : inputs)
        {
            final byte[] bytes = Files.readAllBytes(input);
            reader.reset();
            final int result = dispatcher.dispatch(new UnsafeBuffer(bytes), 0, bytes.length, reader);
            assertTrue(result >= 0 ? reader.templateId == result : null != reader.refusal, input::toString);
            decoded += result >= 0 ? 1 : 0;
        }
        assertTrue(decoded >= ProtocolSamples.TEMPLATES.length, "every seed decodes: " + decoded);
    }
}
