package io.junction.tools;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.junction.observe.Alarm;
import io.junction.observe.AlarmListener;

/**
 * POSTs each alarm notification as JSON to a URL, asynchronously: a slow or dead receiver never holds
 * up the alarm evaluator. Failures are counted and logged once each.
 */
public final class WebhookNotifier implements AlarmListener
{
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("junction.webhook");

    private final URI uri;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicLong failures = new AtomicLong();

    public WebhookNotifier(final String url)
    {
        this.uri = URI.create(url);
    }

    @Override
    public void onAlarm(final Alarm alarm)
    {
        final HttpRequest request = HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JsonOutput.alarm(alarm)))
            .build();
        client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) ->
        {
            if (null != error || response.statusCode() >= 300)
            {
                failures.incrementAndGet();
                LOG.warn("webhook {} failed for {}: {}", uri, alarm.name(),
                    null != error ? error.toString() : "HTTP " + response.statusCode());
            }
        });
    }

    public long failures()
    {
        return failures.get();
    }
}
