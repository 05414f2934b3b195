package dev.connmon.alerts;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The HTTP side of a delivery attempt on any channel (docs/api.md §11): a POST that gets one overall deadline for the whole exchange
 * (connect, send, status and body), reads at most {@link #ANSWER_LIMIT} bytes of the answer and follows no redirect.
 * Every attempt ends in an {@link Answer}, and a connection that did not end cleanly is closed, so that a receiver
 * that stalls or streams without end gives its connection back at the deadline or the limit.
 */
final class WebhookClient {
    /** The most of an answer read; past it connmon stops reading and closes the connection. */
    static final int ANSWER_LIMIT = 4096;

    /**
     * Attempts under way at once, at most, and so connections per receiver: equal, so that an attempt never waits for
     * a connection that stalled attempts hold (the pool is per host and port, the limit is for all receivers).
     */
    static final int MAX_CONCURRENT = 50;

    /** How an attempt ended: the status answered (null: none) and why it is not delivered (null: delivered). */
    record Answer(Integer status, String error) {
        boolean delivered() {
            return error == null;
        }
    }

    private final Vertx vertx;
    private final HttpClient client;
    private final Duration deadline;

    WebhookClient(Vertx vertx, Duration deadline) {
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("connmon.alerts.webhook-timeout: must be positive, not " + deadline);
        }
        this.vertx = vertx;
        this.deadline = deadline;
        this.client = vertx.createHttpClient(
                new HttpClientOptions().setConnectTimeout((int) Math.min(Integer.MAX_VALUE, deadline.toMillis())),
                // one more for the Alertmanager repeats, which run one request at a time beside the deliveries
                new PoolOptions().setHttp1MaxSize(MAX_CONCURRENT + 1));
    }

    /** POSTs the body; the answer comes within the deadline whatever the receiver does. */
    Uni<Answer> post(String url, MultiMap headers, String body) {
        return Uni.createFrom().emitter(emitter -> new Exchange(emitter).start(url, headers, body));
    }

    void close() {
        client.close();
    }

    /**
     * One request and its answer. The deadline's timer and the HTTP handlers may run on different threads: whichever
     * finishes first wins ({@code done}), and a request that arrives after the deadline is reset at once.
     */
    private final class Exchange {
        private final UniEmitter<? super Answer> emitter;
        private final AtomicBoolean done = new AtomicBoolean();
        private final Buffer answer = Buffer.buffer();
        private volatile HttpClientRequest request;
        private volatile Integer status;
        private long timer;

        Exchange(UniEmitter<? super Answer> emitter) {
            this.emitter = emitter;
        }

        void start(String url, MultiMap headers, String body) {
            timer = vertx.setTimer(
                    Math.max(1, deadline.toMillis()),
                    id -> finish(
                            new Answer(status, "no complete answer within " + WebhookClient.toString(deadline)), true));
            try {
                client.request(new RequestOptions()
                                .setMethod(HttpMethod.POST)
                                .setAbsoluteURI(url)
                                .setHeaders(headers)
                                .setFollowRedirects(false))
                        .onFailure(failure -> finish(new Answer(null, describe(failure)), true))
                        .onSuccess(created -> {
                            request = created;
                            if (done.get()) {
                                created.reset();
                                return;
                            }
                            created.send(Buffer.buffer(body, "UTF-8"))
                                    .onFailure(failure -> finish(new Answer(status, describe(failure)), true))
                                    .onSuccess(this::read);
                        });
            } catch (RuntimeException e) {
                finish(new Answer(null, describe(e)), false);
            }
        }

        private void read(HttpClientResponse response) {
            status = response.statusCode();
            response.exceptionHandler(failure -> finish(new Answer(status, describe(failure)), true));
            response.handler(chunk -> {
                int room = ANSWER_LIMIT - answer.length();
                answer.appendBuffer(chunk, 0, Math.min(room, chunk.length()));
                if (chunk.length() > room) {
                    finish(judge(response.statusCode(), answer), true);
                }
            });
            response.endHandler(ignored -> finish(judge(response.statusCode(), answer), false));
        }

        /** Completes once; {@code close} resets the request, which for HTTP/1.x closes its connection. */
        private void finish(Answer outcome, boolean close) {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            vertx.cancelTimer(timer);
            HttpClientRequest sent = request;
            if (close && sent != null) {
                sent.reset();
            }
            emitter.complete(outcome);
        }
    }

    /**
     * 2xx delivers. A redirect is not followed: the alert goes only where its rule says (a redirect could point inside
     * the network connmon runs in), and a 303's GET would not carry it anyway.
     */
    static Answer judge(int status, Buffer answer) {
        if (status >= 200 && status < 300) {
            return new Answer(status, null);
        }
        if (status >= 300 && status < 400) {
            return new Answer(status, "answered " + status + ": redirects are not followed");
        }
        String text = printable(new String(answer.getBytes(), StandardCharsets.UTF_8));
        return new Answer(status, "answered " + status + (text.isEmpty() ? "" : ": " + text));
    }

    static String describe(Throwable failure) {
        String message = failure.getMessage();
        return printable(failure.getClass().getSimpleName() + (message == null ? "" : ": " + message));
    }

    /** Text that PostgreSQL can store (no U+0000) and a log line can show (no control characters). */
    private static String printable(String text) {
        return text.replaceAll("\\p{Cntrl}+", " ").strip();
    }

    private static String toString(Duration duration) {
        return duration.toString().substring(2).toLowerCase();
    }
}
