package dev.connmon.alerts;

import dev.connmon.cluster.Leadership;
import dev.connmon.config.ConnmonConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Delivers the stored deliveries while this instance leads the alerts, on every channel alike (the webhook,
 * Alertmanager, PagerDuty, Slack, Teams: {@link ChannelRequests} words each request): each attempt bounded by
 * {@link WebhookClient} ({@code connmon.alerts.webhook-timeout}), retried with exponential backoff until
 * {@code connmon.alerts.webhook-retry-for} has passed since the delivery was created; in order per alert and channel
 * (the next one waits until the one before it is done), at least once, each attempt recorded, with any secret address
 * taken out of its error. It also runs the {@link AlertmanagerRefresher} on the same client.
 */
@ApplicationScoped
public class WebhookSender {
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(10);
    /** Attempts one channel may have under way at once. */
    static final int PER_CHANNEL = WebhookClient.MAX_CONCURRENT / 2;

    private final DeliveryRepository repository;
    private final ChannelRequests requests;
    private final AlertmanagerRefresher refresher;
    private final Vertx vertx;
    private final WebhookClient client;
    private final MeterRegistry metrics;
    private final Duration retryFor;
    /** The attempts under way, and their channels. */
    private final Map<UUID, String> inFlight = new ConcurrentHashMap<>();
    /**
     * Attempts recorded (committed) while a read of the due deliveries may have begun before them, with when: that
     * read can still return them as pending, and sending them again would be a second message for one delivery.
     */
    private final Map<UUID, Long> justRecorded = new ConcurrentHashMap<>();

    private volatile long timer = -1;
    private volatile boolean polling;

    WebhookSender(
            DeliveryRepository repository,
            ChannelRequests requests,
            AlertmanagerRefresher refresher,
            Vertx vertx,
            MeterRegistry metrics,
            ConnmonConfig config) {
        this.repository = repository;
        this.requests = requests;
        this.refresher = refresher;
        this.vertx = vertx;
        this.client = new WebhookClient(vertx, config.alerts().webhookTimeout());
        this.metrics = metrics;
        this.retryFor = config.alerts().webhookRetryFor();
    }

    void start(Leadership.Term term) {
        timer = vertx.setPeriodic(500, id -> poll(term));
        refresher.start(term, client);
    }

    void stop() {
        vertx.cancelTimer(timer);
        timer = -1;
        refresher.stop();
    }

    @PreDestroy
    void close() {
        stop();
        client.close();
    }

    private void poll(Leadership.Term term) {
        if (polling || !term.current()) {
            return;
        }
        polling = true;
        long readFrom = System.nanoTime();
        // a read that begins now sees every attempt recorded before it
        justRecorded.values().removeIf(recordedAt -> recordedAt - readFrom < 0);
        repository
                .due(50)
                .subscribe()
                .with(
                        due -> {
                            polling = false;
                            // at most as many at once as the client has connections per receiver: a receiver that
                            // stalls holds its attempts until the deadline, never a connection another one waits
                            // for; and one channel at most half of them, so that a stalled Slack never delays a page
                            due.stream().filter(this::admit).forEach(delivery -> send(delivery, term));
                        },
                        failure -> {
                            polling = false;
                            Log.warnf("Alert deliveries: cannot read pending deliveries: %s", failure.getMessage());
                        });
    }

    /** Takes the delivery on if there is room: overall, and for its channel. */
    private boolean admit(DeliveryRepository.Due delivery) {
        String channel = channelName(delivery);
        if (inFlight.size() >= WebhookClient.MAX_CONCURRENT
                || inFlight.values().stream().filter(channel::equals).count() >= PER_CHANNEL
                || inFlight.containsKey(delivery.deliveryId())
                || justRecorded.containsKey(delivery.deliveryId())) {
            return false;
        }
        inFlight.put(delivery.deliveryId(), channel);
        return true;
    }

    private void send(DeliveryRepository.Due delivery, Leadership.Term term) {
        if (!term.current()) {
            inFlight.remove(delivery.deliveryId());
            return;
        }
        int attempt = delivery.attempts() + 1;
        ChannelRequests.Request request;
        String unsendable = null;
        try {
            request = requests.request(delivery);
            unsendable = request == null ? noLongerRouted(delivery) : null;
        } catch (RuntimeException e) {
            request = null;
            unsendable = "cannot word the " + channelName(delivery) + " request: " + WebhookClient.describe(e);
        }
        Uni<WebhookClient.Answer> sent = send(request, unsendable);
        boolean giveUp = request == null;
        sent.chain(answer -> {
                    Instant at = Instant.now();
                    Instant next = answer.delivered() || giveUp ? null : nextAttempt(delivery, attempt, at);
                    metrics.counter(
                                    "connmon.alerts.deliveries",
                                    "outcome",
                                    answer.delivered() ? "delivered" : next == null ? "gave-up" : "failed",
                                    "channel",
                                    channelName(delivery))
                            .increment();
                    return repository.attempted(
                            delivery.deliveryId(),
                            attempt,
                            at,
                            answer.status(),
                            answer.error(),
                            answer.delivered(),
                            next);
                })
                .subscribe()
                .with(
                        ignored -> {
                            justRecorded.put(delivery.deliveryId(), System.nanoTime());
                            inFlight.remove(delivery.deliveryId());
                        },
                        failure -> {
                            inFlight.remove(delivery.deliveryId());
                            Log.warnf(
                                    "Alert deliveries: cannot record an attempt of %s: %s",
                                    delivery.deliveryId(), failure.getMessage());
                        });
    }

    /** The attempt's answer, its error without the channel's address; or, with nothing to send, that error. */
    private Uni<WebhookClient.Answer> send(ChannelRequests.Request request, String unsendable) {
        if (request == null) {
            return Uni.createFrom().item(new WebhookClient.Answer(null, unsendable));
        }
        return Uni.createFrom()
                .deferred(() -> client.post(request.url(), request.headers(), request.body()))
                .onFailure()
                .recoverWithItem(failure -> new WebhookClient.Answer(null, WebhookClient.describe(failure)))
                .map(answer -> new WebhookClient.Answer(
                        answer.status(), request.target().redact(answer.error())));
    }

    /** Given up at once: the configuration changed since the alert was stored, and there is nowhere to send it. */
    private static String noLongerRouted(DeliveryRepository.Due delivery) {
        return "rule '" + delivery.rule() + "' no longer has a " + channelName(delivery) + " channel";
    }

    /** A channel this version does not know (stored by a newer one) reads as {@code unknown}. */
    private static String channelName(DeliveryRepository.Due delivery) {
        return delivery.channel() == null ? "unknown" : delivery.channel().wireName();
    }

    /** 1 s, 2 s, 4 s … at most 10 min apart; null once the retry period would be over. */
    private Instant nextAttempt(DeliveryRepository.Due delivery, int attempt, Instant now) {
        long seconds = 1L << Math.min(attempt - 1, 20);
        Instant next = now.plus(
                Duration.ofSeconds(seconds).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : Duration.ofSeconds(seconds));
        return next.isAfter(delivery.createdAt().plus(retryFor)) ? null : next;
    }

    /** HMAC-SHA256 of the text, hex: what the receiver recomputes with the shared secret. */
    static String hmac(String secret, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
