package dev.connmon.embedded;

import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import dev.connmon.lifecycle.EventType;

/**
 * The embedded broker's connmon extension: authenticates devices, keeps the lifecycle topics to connmon's own
 * connection, and turns connects, disconnects and activity into canonical events.
 */
final class LifecycleExtension implements ExtensionMain {
    static final String CONNECTION_ID = "connmon.connection-id";
    static final String SYSTEM = "connmon.system";
    static final String USERNAME = "connmon.username";
    static final String KEEP_ALIVE = "connmon.keep-alive";
    static final String CLEAN_START = "connmon.clean-start";
    /** Set for a connection signed in with an API key that may read the monitoring topics (docs/api.md §8). */
    static final String MONITOR_READER = "connmon.monitor-reader";

    private final BrokerSettings settings;
    private final LifecycleEmitter emitter;

    LifecycleExtension(BrokerSettings settings) {
        this.settings = settings;
        this.emitter = new LifecycleEmitter(
                settings.eventTopicPrefix(), settings.node(), settings.port(), settings.activityWindow());
    }

    static boolean isSystem(ConnectionInformation connection) {
        return connection.getConnectionAttributeStore().getAsString(SYSTEM).isPresent();
    }

    static String attribute(ConnectionInformation connection, String name) {
        return connection.getConnectionAttributeStore().getAsString(name).orElse(null);
    }

    @Override
    public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
        Authenticator authenticator = new Authenticator(settings, emitter);
        TopicGuard guard = new TopicGuard(
                settings.eventTopicPrefix(), emitter, settings.monitorFilters(), settings.monitorAccessForAnyone());
        LifecycleListener listener = new LifecycleListener(emitter);
        Services.securityRegistry().setAuthenticatorProvider(in -> authenticator);
        Services.securityRegistry().setAuthorizerProvider(in -> guard);
        Services.eventRegistry().setClientLifecycleEventListener(in -> listener);
        Services.initializerRegistry().setClientInitializer((in, context) -> {
            if (isSystem(in.getConnectionInformation())) {
                return;
            }
            context.addPublishOutboundInterceptor(guard);
            context.addPublishInboundInterceptor((publish, out) -> emitter.activity(
                    EventType.PUBLISHED,
                    publish.getClientInformation().getClientId(),
                    publish.getPublishPacket().getTopic()));
            context.addSubscribeInboundInterceptor((subscribe, out) -> emitter.activity(
                    EventType.SUBSCRIBED,
                    subscribe.getClientInformation().getClientId(),
                    subscribe.getSubscribePacket().getSubscriptions().get(0).getTopicFilter()));
            context.addUnsubscribeInboundInterceptor((unsubscribe, out) -> emitter.activity(
                    EventType.UNSUBSCRIBED,
                    unsubscribe.getClientInformation().getClientId(),
                    unsubscribe.getUnsubscribePacket().getTopicFilters().get(0)));
        });
    }

    /** From now on the broker's lifecycle events are dropped: connmon has stopped taking them. */
    void seal() {
        emitter.seal();
    }

    @Override
    public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
        // activity still waiting for its window's end is a client's latest act (docs/api.md §9)
        emitter.flushActivity();
    }
}
