package dev.connmon.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.connmon.query.FilterText;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each channel's payload from an alert, without the application: schemas, hostile ids, limits, secrets. */
class ChannelPayloadsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ChannelPayloads PAYLOADS =
            new ChannelPayloads(MAPPER, new AlertText("https://connmon.example.com"));
    private static final AlertRule RULE = new AlertRule(
            "pumps",
            Condition.OFFLINE,
            Duration.ofMinutes(5),
            FilterText.parse(""),
            null,
            null,
            null,
            "error",
            List.of());
    private static final AlertRule FLEET = new AlertRule(
            "outage",
            Condition.FLEET_DROP,
            Duration.ofMinutes(2),
            FilterText.parse(""),
            0.5,
            null,
            null,
            "critical",
            List.of());

    private static Alert alert(String clientId, String resolvedAt) {
        ObjectNode state = MAPPER.createObjectNode()
                .put("id", clientId)
                .put("clientType", "device")
                .put("lastDisconnectTime", "2026-12-07T10:00:00.000Z")
                .put("lastDisconnectInitiator", "network")
                .put("lastDisconnectReasonCode", 0x8D)
                .put("lastDisconnectReason", "Keep Alive timeout");
        return new Alert(
                "42",
                "pumps",
                "offline",
                clientId,
                resolvedAt == null ? "open" : "resolved",
                "2026-12-07T10:00:00.000Z",
                "2026-12-07T10:05:00.000Z",
                resolvedAt,
                state);
    }

    @Test
    void aHostileClientIdIsEscapedForSlackAndEncodedInTheLink() {
        String id = "d:acme:pump:<!channel> & <https://evil.example|click>";
        JsonObject slack = new JsonObject(PAYLOADS.slack(RULE, alert(id, null)).toString());
        assertThat(slack.encode()).doesNotContain("<!channel>", "<https://evil");
        assertThat(slack.getString("text")).startsWith("d:acme:pump:&lt;!channel&gt; &amp; &lt;https://evil");
        String section = slack.getJsonArray("blocks")
                .getJsonObject(0)
                .getJsonObject("text")
                .getString("text");
        assertThat(section)
                .contains("<https://connmon.example.com/#/clients/d%3Aacme%3Apump%3A%3C!channel%3E%20%26%20"
                        + "%3Chttps%3A%2F%2Fevil.example%7Cclick%3E|Open in connmon>");
        List<String> problems = new ArrayList<>();
        ChannelReceivers.slack(slack, problems);
        assertThat(problems).isEmpty();
    }

    @Test
    void teamsShowsClientTextInPlainRunsThatRenderNoMarkdown() {
        String id = "d:acme:pump:[sign in](https://evil.example)";
        JsonObject card = new JsonObject(PAYLOADS.teams(RULE, alert(id, null)).toString())
                .getJsonArray("attachments")
                .getJsonObject(0)
                .getJsonObject("content");
        card.getJsonArray("body").forEach(element -> {
            JsonObject block = (JsonObject) element;
            assertThat(block.getString("type")).isEqualTo("RichTextBlock");
            block.getJsonArray("inlines")
                    .forEach(run ->
                            assertThat(((JsonObject) run).getString("type")).isEqualTo("TextRun"));
        });
        assertThat(card.encode()).contains(id);
    }

    @Test
    void pagerDutyCutsTheSummaryToItsLimitAndAResolveCarriesOnlyTheKeys() {
        JsonObject trigger =
                new JsonObject(PAYLOADS.pagerduty(RULE, alert("d:a:b:" + "x".repeat(2000), null), "k".repeat(32))
                        .toString());
        assertThat(trigger.getJsonObject("payload").getString("summary")).hasSize(1024);
        assertThat(trigger.getJsonObject("payload").getString("severity")).isEqualTo("error");
        assertThat(trigger.getJsonObject("payload").getString("component")).isEqualTo("device");
        List<String> problems = new ArrayList<>();
        ChannelReceivers.pagerduty(trigger, problems);
        assertThat(problems).isEmpty();

        JsonObject resolve =
                new JsonObject(PAYLOADS.pagerduty(RULE, alert("d:a:b:c", "2026-12-07T11:00:00.000Z"), "key")
                        .toString());
        assertThat(resolve.fieldNames()).containsExactlyInAnyOrder("routing_key", "event_action", "dedup_key");
        assertThat(resolve.getString("event_action")).isEqualTo("resolve");
    }

    @Test
    void aFleetAlertHasNoClientLabelsAndLinksTheOverview() {
        ObjectNode counts = MAPPER.createObjectNode().put("watched", 10).put("dropped", 6);
        Alert alert = new Alert(
                "7",
                "outage",
                "fleet-drop",
                null,
                "open",
                "2026-12-07T10:00:00.000Z",
                "2026-12-07T10:00:00.000Z",
                null,
                counts);
        JsonObject postable = new JsonObject(PAYLOADS.alertmanager(FLEET, alert).toString());
        assertThat(postable.getJsonObject("labels").getMap())
                .containsOnlyKeys("alertname", "condition", "severity")
                .containsEntry("severity", "critical");
        assertThat(postable.getJsonObject("annotations").getString("summary"))
                .isEqualTo("6 of 10 watched clients dropped (rule outage) since 2026-12-07T10:00:00.000Z");
        assertThat(postable.getString("generatorURL")).isEqualTo("https://connmon.example.com/#/");
        assertThat(postable.containsKey("endsAt")).isFalse();
        List<String> problems = new ArrayList<>();
        ChannelReceivers.teams(new JsonObject(PAYLOADS.teams(FLEET, alert).toString()), problems);
        assertThat(problems).isEmpty();
    }

    @Test
    void aResolvedAlertEndsInAlertmanagerWithTheSameLabels() {
        JsonObject open = new JsonObject(
                PAYLOADS.alertmanager(RULE, alert("d:acme:pump:7", null)).toString());
        JsonObject ended =
                new JsonObject(PAYLOADS.alertmanager(RULE, alert("d:acme:pump:7", "2026-12-07T11:00:00.000Z"))
                        .toString());
        assertThat(ended.getJsonObject("labels")).isEqualTo(open.getJsonObject("labels"));
        assertThat(open.getJsonObject("labels").getString("device_type")).isEqualTo("pump");
        assertThat(ended.getString("endsAt")).isEqualTo("2026-12-07T11:00:00.000Z");
    }

    @Test
    void secretsLeaveErrorsAndConfigurationMessages() {
        ChannelTarget teams = new ChannelTarget(
                Channel.TEAMS, "https://prod.example.com/workflows/abc/invoke?api-version=1&sig=SECRET");
        assertThat(teams.redact(
                        "ConnectException: https://prod.example.com/workflows/abc/invoke?api-version=1&sig=SECRET"))
                .doesNotContain("SECRET", "/workflows/abc");
        assertThat(teams.redact("answered 400: no flow at /workflows/abc/invoke?api-version=1&sig=SECRET"))
                .isEqualTo("answered 400: no flow at <teams path>?<teams query>");
        assertThat(new ChannelTarget(Channel.PAGERDUTY, "R0UTINGKEY").redact("invalid key R0UTINGKEY"))
                .isEqualTo("invalid key <pagerduty address>");
        assertThat(new ChannelTarget(Channel.PAGERDUTY, "R0UTINGKEY").redact("answered 400: {\"key\":\"R0UTING"))
                .as("a key cut by the answer's limit")
                .isEqualTo("answered 400: {\"key\":\"<pagerduty address>");
        assertThat(teams.toString()).isEqualTo("teams");
        assertThatThrownBy(() -> ChannelTarget.of(Channel.SLACK, "connmon.alerts.x.slack", "ftp://hooks/SECRET"))
                .hasMessage("connmon.alerts.x.slack: needs an http:// or https:// URL with a host");
    }
}
