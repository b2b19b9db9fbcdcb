package io.junction.tools;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The status page's files (plain HTML, JS and CSS from resources, no build step), read once: {@code /} is
 * {@code index.html}, and the page polls {@code /status.json} ({@link StatusReport}).
 */
final class StatusPage
{
    record File(String contentType, byte[] bytes)
    {
    }

    private static final Map<String, File> FILES = Map.of(
        "/", load("index.html", "text/html; charset=utf-8"),
        "/index.html", load("index.html", "text/html; charset=utf-8"),
        "/status.js", load("status.js", "text/javascript; charset=utf-8"),
        "/status.css", load("status.css", "text/css; charset=utf-8"));

    private StatusPage()
    {
    }

    /**
     * @return the file at this path, or null when the page has none there.
     */
    static File file(final String path)
    {
        return FILES.get(path);
    }

    private static File load(final String name, final String contentType)
    {
        try (InputStream in = StatusPage.class.getResourceAsStream("status/" + name))
        {
            if (null == in)
            {
                throw new IllegalStateException("status page resource missing: status/" + name);
            }
            return new File(contentType, in.readAllBytes());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
