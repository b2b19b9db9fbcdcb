package io.junction.tools;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import com.sun.net.httpserver.HttpServer;

/**
 * What the tests of a daemon child process share: a local webhook receiver, HTTP GETs against the daemon's
 * endpoint, and reading a child's output file for a failure message.
 */
final class DaemonTestSupport
{
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private DaemonTestSupport()
    {
    }

    static HttpResponse<String> httpGet(final int port, final String path) throws Exception
    {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * @return the file's text, or the error reading it (for assertion messages).
     */
    static String read(final File file)
    {
        try
        {
            return Files.readString(file.toPath());
        }
        catch (final IOException ex)
        {
            return ex.toString();
        }
    }

    /**
     * An HTTP server on loopback that keeps the body of every POST to each of its paths, in order.
     */
    static final class WebhookReceiver implements AutoCloseable
    {
        private final HttpServer server;

        WebhookReceiver() throws IOException
        {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        }

        /**
         * @return the bodies posted to {@code path}; call before {@link #start()}.
         */
        BlockingQueue<String> path(final String path)
        {
            final BlockingQueue<String> bodies = new LinkedBlockingQueue<>();
            server.createContext(path, (exchange) ->
            {
                bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            return bodies;
        }

        WebhookReceiver start()
        {
            server.start();
            return this;
        }

        int port()
        {
            return server.getAddress().getPort();
        }

        @Override
        public void close()
        {
            server.stop(0);
        }
    }
}
