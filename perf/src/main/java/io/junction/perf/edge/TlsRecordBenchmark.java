package io.junction.perf.edge;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.junction.security.TlsContexts;
import io.junction.security.TlsSession;

/**
 * The cost of one TLS record through {@link TlsSession} (what the daemon and the client pay per write and per read
 * of a TLS connection): the client wraps {@code payload} bytes, the server decrypts them, over an in-memory pipe so
 * that no socket is timed. Run with {@code -prof gc} to see what the JDK's SSLEngine allocates per record; a record
 * carries every frame staged for the connection (up to 16 KiB), so under load the cost is shared by many messages.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = { "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED" })
public class TlsRecordBenchmark
{
    @Param({ "64", "16000" })
    public int payload;

    private TlsSession client;
    private TlsSession server;
    private final Pipe clientToServer = new Pipe();
    private final Pipe serverToClient = new Pipe();
    private ByteBuffer source;
    private ByteBuffer destination;

    @Setup
    public void setUp() throws Exception
    {
        final Path dir = Files.createTempDirectory("junction-tls-bench");
        final char[] password = "changeit".toCharArray();
        final Path keyStore = dir.resolve("server.p12");
        final Path certificate = dir.resolve("server.crt");
        final Path trustStore = dir.resolve("trust.p12");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
            "CN=localhost", "-ext", "SAN=dns:localhost", "-validity", "2", "-keystore", keyStore.toString(),
            "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit");
        keytool("-exportcert", "-alias", "server", "-keystore", keyStore.toString(), "-storepass", "changeit",
            "-rfc", "-file", certificate.toString());
        keytool("-importcert", "-noprompt", "-alias", "server", "-file", certificate.toString(), "-keystore",
            trustStore.toString(), "-storetype", "PKCS12", "-storepass", "changeit");
        final SSLContext serverContext = TlsContexts.create(keyStore, password, null, null, "PKCS12");
        final SSLContext clientContext = TlsContexts.create(null, null, trustStore, password, "PKCS12");
        server = TlsSession.server(serverContext, TlsSession.ClientAuth.NONE);
        client = TlsSession.client(clientContext, "localhost", 7420);
        for (int i = 0; i < 100 && !(server.isHandshakeComplete() && client.isHandshakeComplete()); i++)
        {
            client.writeTo(clientToServer);
            server.readFrom(clientToServer);
            server.writeTo(serverToClient);
            client.readFrom(serverToClient);
        }
        if (!server.isHandshakeComplete() || !client.isHandshakeComplete())
        {
            throw new IllegalStateException("no handshake");
        }
        source = ByteBuffer.allocate(payload);
        destination = ByteBuffer.allocate(1 << 16);
        for (final File file : dir.toFile().listFiles())
        {
            Files.delete(file.toPath());
        }
        Files.delete(dir);
    }

    @Benchmark
    public int record() throws IOException
    {
        source.clear();
        client.wrap(source);
        client.writeTo(clientToServer);
        server.readFrom(clientToServer);
        destination.clear();
        return server.read(destination);
    }

    private static void keytool(final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "keytool");
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(60, TimeUnit.SECONDS) || 0 != process.exitValue())
        {
            process.destroyForcibly();
            throw new IOException("keytool failed: " + command);
        }
    }

    /** A one-way in-memory byte pipe. */
    private static final class Pipe implements ReadableByteChannel, WritableByteChannel
    {
        private final ByteBuffer bytes = ByteBuffer.allocate(1 << 20);

        @Override
        public int read(final ByteBuffer destination)
        {
            bytes.flip();
            final int n = Math.min(destination.remaining(), bytes.remaining());
            final int limit = bytes.limit();
            bytes.limit(bytes.position() + n);
            destination.put(bytes);
            bytes.limit(limit);
            bytes.compact();
            return n;
        }

        @Override
        public int write(final ByteBuffer source)
        {
            final int n = source.remaining();
            bytes.put(source);
            return n;
        }

        @Override
        public boolean isOpen()
        {
            return true;
        }

        @Override
        public void close()
        {
        }
    }
}
