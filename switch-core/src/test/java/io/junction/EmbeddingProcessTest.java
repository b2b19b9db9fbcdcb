package io.junction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's embedding example as an application would run it: taken from README.md, compiled into a class of its
 * own against the library's class path (no test classes), and run in a separate JVM with exactly the JVM flags the
 * README documents, and without them, to show they are needed.
 */
class EmbeddingProcessTest
{
    @TempDir
    Path tmp;

    @Test
    void theReadmeExampleRunsInItsOwnJvmWithExactlyTheDocumentedFlags() throws Exception
    {
        final String readme = Files.readString(Path.of("../README.md"));
        final String embedding = readme.substring(readme.indexOf("## Embedding"));
        final int start = embedding.indexOf("```java\n") + "```java\n".length();
        final String snippet = embedding.substring(start, embedding.indexOf("```", start));
        final String command = embedding.lines().filter((line) -> line.startsWith("java ")).findFirst().orElseThrow();
        final List<String> flags = Arrays.asList(command.substring("java ".length(), command.indexOf(" -cp ")).split(" "));
        assertTrue(flags.contains("--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED"), command);

        final File source = tmp.resolve("Example.java").toFile();
        Files.writeString(source.toPath(), String.join("\n",
            "import java.io.PrintStream;",
            "import java.util.concurrent.CountDownLatch;",
            "import java.util.concurrent.TimeUnit;",
            "import org.agrona.concurrent.UnsafeBuffer;",
            "import io.junction.Junction;",
            "import io.junction.Priority;",
            "public final class Example",
            "{",
            "    public static void main(final String[] args) throws Exception",
            "    {",
            "        final PrintStream out = System.out;",
            snippet,
            "    }",
            "}",
            ""));
        final String classPath = libraryClassPath();
        final JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, compiler.run(null, null, null, "-d", tmp.toString(), "-cp", classPath, source.getPath()));

        final List<String> run = new ArrayList<>();
        run.add(javaExecutable());
        run.addAll(flags);
        run.addAll(List.of("-cp", tmp + File.pathSeparator + classPath, "Example"));
        final Result documented = run(run, "documented.log");
        assertEquals(0, documented.exitCode, documented.output);
        assertTrue(documented.output.contains("prices.eur.usd 1.0842\nprices.gbp.usd 1.2671\n"), documented.output);

        final List<String> withoutFlags = new ArrayList<>(run);
        withoutFlags.removeAll(flags);
        final Result bare = run(withoutFlags, "bare.log");
        assertNotEquals(0, bare.exitCode, bare.output);
        assertTrue(bare.output.contains("jdk.internal.misc"), "fails naming what the flag opens: " + bare.output);
    }

    private record Result(int exitCode, String output)
    {
    }

    private Result run(final List<String> command, final String log) throws Exception
    {
        final File output = tmp.resolve(log).toFile();
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output).start();
        if (!process.waitFor(90, TimeUnit.SECONDS))
        {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            throw new AssertionError("did not finish: " + command);
        }
        return new Result(process.exitValue(), Files.readString(output.toPath(), StandardCharsets.UTF_8));
    }

    /**
     * The library and its dependencies as an application has them: no test classes, no test libraries.
     */
    private static String libraryClassPath()
    {
        final String testClassPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Arrays.stream(testClassPath.split(File.pathSeparator))
            .filter((entry) -> !entry.endsWith("test-classes"))
            .filter((entry) -> !entry.contains("junit") && !entry.contains("opentest4j") && !entry.contains("apiguardian") &&
                !entry.contains("jqwik") && !entry.contains("awaitility") && !entry.contains("hamcrest") &&
                !entry.contains("logback"))
            .collect(Collectors.joining(File.pathSeparator));
    }

    private static String javaExecutable()
    {
        return ProcessHandle.current().info().command().orElse(
            System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    }
}
