package io.junction.tools;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.junction.observe.Alarm;
import io.junction.observe.AlarmListener;

/**
 * POSTs each alarm notification as JSON to a URL, naming the node that sent it, in order, one at a time, off the
 * alarm evaluator's thread: a slow or dead receiver never holds it up. A failed POST (no connection, a timeout, a
 * non-2xx answer) is retried after a doubling backoff, up to a number of attempts; at most a bounded number of
 * notifications wait, and a newer one is refused when they are full. Each outcome is counted; each failure goes to
 * the daemon's error handler (the error log).
 */
public final class WebhookNotifier implements AlarmListener, AutoCloseable
{
    public static final int DELIVERED_TYPE_ID = 1701;
    public static final int RETRIED_TYPE_ID = 1702;
    public static final int GIVEN_UP_TYPE_ID = 1703;
    public static final int REFUSED_TYPE_ID = 1704;

    private static final Logger LOG = LoggerFactory.getLogger("junction.webhook");

    /** The node in each payload. */
    public record Node(String name, String host, long pid)
    {
        static Node current(final String configuredName)
        {
            String host;
            try
            {
                host = java.net.InetAddress.getLocalHost().getHostName();
            }
            catch (final java.net.UnknownHostException ex)
            {
                host = "unknown";
            }
            return new Node(configuredName.isEmpty() ? host : configuredName, host, ProcessHandle.current().pid());
        }
    }

    private final URI uri;
    private final WebhookConfig.Delivery delivery;
    private final Node node;
    private final ErrorHandler errorHandler;
    private final HttpClient client;
    // Every field below is the sender thread's alone, but for waiting (read by close) and the counters.
    private final ScheduledExecutorService sender;
    private final ArrayDeque<String> queue = new ArrayDeque<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicCounter delivered;
    private final AtomicCounter retried;
    private final AtomicCounter givenUp;
    private final AtomicCounter refused;
    private boolean sending;

    public WebhookNotifier(
        final String url,
        final WebhookConfig.Delivery delivery,
        final Node node,
        final CountersManager counters,
        final ErrorHandler errorHandler)
    {
        this.uri = URI.create(url);
        this.delivery = delivery;
        this.node = node;
        this.errorHandler = errorHandler;
        delivered = counters.newCounter("webhook notifications delivered", DELIVERED_TYPE_ID);
        retried = counters.newCounter("webhook posts retried", RETRIED_TYPE_ID);
        givenUp = counters.newCounter("webhook notifications given up", GIVEN_UP_TYPE_ID);
        refused = counters.newCounter("webhook notifications refused: queue full", REFUSED_TYPE_ID);
        final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, (runnable) ->
        {
            final Thread thread = new Thread(runnable, "junction-webhook");
            thread.setDaemon(true);
            return thread;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        sender = executor;
        client = HttpClient.newBuilder().connectTimeout(delivery.timeout()).build();
    }

    @Override
    public void onAlarm(final Alarm alarm)
    {
        offer(payload(alarm, false));
    }

    /**
     * At a graceful stop: post each alarm still raised as cleared, marked {@code "clearedByStop":true}.
     */
    public void clearAtStop(final java.util.List<Alarm> raised)
    {
        for (final Alarm alarm : raised)
        {
            offer(payload(new Alarm(alarm.rule(), false, alarm.value(), System.currentTimeMillis()), true));
        }
    }

    private String payload(final Alarm alarm, final boolean clearedByStop)
    {
        final com.fasterxml.jackson.databind.node.ObjectNode body = JsonOutput.MAPPER.createObjectNode();
        body.set("node", JsonOutput.MAPPER.valueToTree(node));
        if (clearedByStop)
        {
            body.put("clearedByStop", true);
        }
        body.setAll((com.fasterxml.jackson.databind.node.ObjectNode)JsonOutput.MAPPER.valueToTree(
            JsonOutput.AlarmJson.of(alarm)));
        return JsonOutput.write(body);
    }

    private void offer(final String body)
    {
        if (waiting.incrementAndGet() > delivery.queueCapacity())
        {
            waiting.decrementAndGet();
            refused.increment();
            LOG.warn("webhook {}: {} notifications wait already (alarms.webhook-delivery.queue-capacity), one refused",
                uri, delivery.queueCapacity());
            return;
        }
        try
        {
            sender.execute(() ->
            {
                queue.addLast(body);
                sendNext();
            });
        }
        catch (final java.util.concurrent.RejectedExecutionException ex)
        {
            waiting.decrementAndGet();
            refused.increment(); // closed
        }
    }

    private void sendNext()
    {
        if (!sending && !queue.isEmpty())
        {
            sending = true;
            attempt(queue.peekFirst(), 1);
        }
    }

    private void attempt(final String body, final int attempt)
    {
        final HttpRequest request = HttpRequest.newBuilder(uri)
            .timeout(delivery.timeout())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
        client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenCompleteAsync((response, error) ->
        {
            if (null == error && response.statusCode() < 300)
            {
                delivered.increment();
                done();
                return;
            }
            final String failure = null != error ? JunctionCli.describe(error) : "HTTP " + response.statusCode();
            errorHandler.onError(new WebhookException("webhook " + uri + " failed: " + failure));
            if (attempt >= delivery.attempts())
            {
                givenUp.increment();
                LOG.warn("webhook {}: notification given up after {} attempt(s): {}", uri, attempt, failure);
                done();
                return;
            }
            retried.increment();
            final long backoffNs = Math.min(delivery.maxBackoff().toNanos(),
                delivery.initialBackoff().toNanos() << Math.min(20, attempt - 1));
            try
            {
                sender.schedule(() -> attempt(body, attempt + 1), backoffNs, TimeUnit.NANOSECONDS);
            }
            catch (final java.util.concurrent.RejectedExecutionException ex)
            {
                givenUp.increment(); // closed while waiting to retry
            }
        }, sender);
    }

    private void done()
    {
        queue.pollFirst();
        waiting.decrementAndGet();
        sending = false;
        sendNext();
    }

    /**
     * @return notifications queued or being sent.
     */
    public int waiting()
    {
        return waiting.get();
    }

    /**
     * Wait up to {@code timeout} for what is queued to be delivered (or given up), then stop.
     */
    public void close(final Duration timeout)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (waiting.get() > 0 && System.nanoTime() - deadlineNs < 0)
        {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        close();
    }

    @Override
    public void close()
    {
        sender.shutdownNow();
        org.agrona.CloseHelper.quietCloseAll(delivered, retried, givenUp, refused);
    }

    /**
     * A failed POST, as the error log records it (no stack: the cause is in the message).
     */
    static final class WebhookException extends java.io.IOException
    {
        private static final long serialVersionUID = 1L;

        WebhookException(final String message)
        {
            super(message);
            setStackTrace(new StackTraceElement[0]);
        }
    }

}
