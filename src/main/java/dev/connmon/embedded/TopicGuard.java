package dev.connmon.embedded;

import com.hivemq.extension.sdk.api.auth.PublishAuthorizer;
import com.hivemq.extension.sdk.api.auth.SubscriptionAuthorizer;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishOutboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishOutboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishOutboundOutput;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import com.hivemq.extension.sdk.api.services.Services;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Keeps {@code connmon/} to connmon (docs/api.md §6): ordinary clients may not publish there nor subscribe to the
 * lifecycle topics by name, and a wildcard subscription such as {@code #} is delivered everything but them.
 * The monitoring topics (docs/api.md §8: {@code connmon/clients/#}, the Watson status topics, {@code connmon/alerts/#})
 * the same way, to every client but those signed in with a reading API key: a filter that names only them is refused,
 * a wider one gets the other topics; and only connmon publishes them.
 * The authorizer must approve every other topic explicitly: HiveMQ denies what no authorizer allows.
 */
final class TopicGuard implements PublishAuthorizer, SubscriptionAuthorizer, PublishOutboundInterceptor {
    private static final String RESERVED_ROOT = "connmon/";

    /**
     * Held events go out once connmon's subscription is in HiveMQ's store, looked for this often after authorizing
     * it: sent before, they would meet no subscriber and be dropped. A fixed wait of 200 ms lost a device's connect
     * on a loaded machine. After the longest wait they go out anyway, rather than be held for good.
     */
    private static final long SUBSCRIPTION_POLL_MS = 50;

    private static final long SUBSCRIPTION_WAIT_NS = TimeUnit.SECONDS.toNanos(30);

    private final String eventTopicPrefix;
    private final LifecycleEmitter emitter;
    private final List<String> monitorFilters;
    private final boolean monitorAccessForAnyone;

    TopicGuard(
            String eventTopicPrefix,
            LifecycleEmitter emitter,
            List<String> monitorFilters,
            boolean monitorAccessForAnyone) {
        this.eventTopicPrefix = eventTopicPrefix;
        this.emitter = emitter;
        this.monitorFilters = monitorFilters;
        this.monitorAccessForAnyone = monitorAccessForAnyone;
    }

    @Override
    public void authorizePublish(PublishAuthorizerInput input, PublishAuthorizerOutput output) {
        String topic = input.getPublishPacket().getTopic();
        if (LifecycleExtension.isSystem(input.getConnectionInformation())
                || !topic.startsWith(RESERVED_ROOT) && !MonitorTopics.isMonitoring(monitorFilters, topic)) {
            output.authorizeSuccessfully();
        } else {
            output.failAuthorization(AckReasonCode.NOT_AUTHORIZED, "connmon's own and monitoring topics are reserved");
        }
    }

    @Override
    public void authorizeSubscribe(SubscriptionAuthorizerInput input, SubscriptionAuthorizerOutput output) {
        if (LifecycleExtension.isSystem(input.getConnectionInformation())) {
            output.authorizeSuccessfully();
            String filter = input.getSubscription().getTopicFilter();
            if (MonitorTopics.matches(filter, eventTopicPrefix + "any")) {
                releaseHeldOnceSubscribed(
                        input.getClientInformation().getClientId(), filter, System.nanoTime() + SUBSCRIPTION_WAIT_NS);
            }
        } else if (namesLifecycleTopics(input.getSubscription().getTopicFilter())) {
            output.failAuthorization(SubackReasonCode.NOT_AUTHORIZED, "lifecycle topics are reserved");
        } else if (!mayReadMonitoring(input.getConnectionInformation())
                && MonitorTopics.namesOnlyMonitoring(
                        monitorFilters, input.getSubscription().getTopicFilter())) {
            output.failAuthorization(SubackReasonCode.NOT_AUTHORIZED, "monitoring topics need a connmon API key");
        } else {
            output.authorizeSuccessfully();
        }
    }

    /** Also applies to retained messages sent on subscribing: a {@code #} subscriber gets no client's state. */
    @Override
    public void onOutboundPublish(PublishOutboundInput input, PublishOutboundOutput output) {
        String topic = input.getPublishPacket().getTopic();
        if (topic.startsWith(eventTopicPrefix)
                || !mayReadMonitoring(input.getConnectionInformation())
                        && MonitorTopics.isMonitoring(monitorFilters, topic)) {
            output.preventPublishDelivery();
        }
    }

    private void releaseHeldOnceSubscribed(String clientId, String filter, long deadline) {
        Services.extensionExecutorService()
                .schedule(
                        () -> Services.subscriptionStore()
                                .getSubscriptions(clientId)
                                .whenComplete((subscriptions, failure) -> {
                                    boolean stored = subscriptions != null
                                            && subscriptions.stream()
                                                    .anyMatch(s ->
                                                            s.getTopicFilter().equals(filter));
                                    if (stored || System.nanoTime() > deadline) {
                                        emitter.subscriberReady();
                                    } else {
                                        releaseHeldOnceSubscribed(clientId, filter, deadline);
                                    }
                                }),
                        SUBSCRIPTION_POLL_MS,
                        TimeUnit.MILLISECONDS);
    }

    private boolean mayReadMonitoring(ConnectionInformation connection) {
        return monitorAccessForAnyone
                || LifecycleExtension.attribute(connection, LifecycleExtension.MONITOR_READER) != null;
    }

    /** Filters that spell out the lifecycle tree: connmon/events/…, connmon/+/…, connmon/#. */
    private boolean namesLifecycleTopics(String filter) {
        if (!filter.startsWith(RESERVED_ROOT)) {
            return false;
        }
        String second = filter.substring(RESERVED_ROOT.length()).split("/", -1)[0];
        String eventsLevel = eventTopicPrefix.substring(RESERVED_ROOT.length()).split("/", -1)[0];
        return second.equals(eventsLevel) || second.equals("+") || second.equals("#");
    }
}
