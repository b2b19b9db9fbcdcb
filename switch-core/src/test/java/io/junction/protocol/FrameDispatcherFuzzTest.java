package io.junction.protocol;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.agrona.concurrent.UnsafeBuffer;

import org.junit.jupiter.api.Tag;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the decode path ({@link ProtocolFrames#check}, {@link FrameDispatcher}, and reading
 * every field it hands on) with Jazzer, time-boxed: {@code mvn -B -pl switch-core -am test -Pfuzz} fuzzes for
 * {@code maxDuration} (the profile sets {@code JAZZER_FUZZ=1}); a crash it finds is written to
 * {@code src/test/resources/io/junction/protocol/FrameDispatcherFuzzTestInputs/dispatch}, to be committed there.
 * The normal suite does not start Jazzer (its agent takes over a minute to load on 2 cores): {@link FrameCorpusTest}
 * replays that directory, seeds and crashes alike, through the same decode path.
 */
@Tag("fuzz")
class FrameDispatcherFuzzTest
{
    private final FrameDispatcher dispatcher = new FrameDispatcher(64 * 1024);
    private final ProtocolSamples.Reader reader = new ProtocolSamples.Reader();

    @FuzzTest(maxDuration = "60s")
    void dispatch(final byte[] input)
    {
        reader.reset();
        final int result = dispatcher.dispatch(new UnsafeBuffer(input), 0, input.length, reader);
        assertTrue(result >= 0 ? reader.templateId == result : null != reader.refusal);
    }
}
