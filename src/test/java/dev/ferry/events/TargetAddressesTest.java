package dev.ferry.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.shared.InvalidInputException;
import dev.ferry.shared.SecretBox;
import dev.ferry.shared.TargetAddresses;
import dev.ferry.testsupport.WebhookReceiver;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * The SSRF guard: which addresses a webhook may reach, and that the real webhook action, sending to a
 * real receiver on 127.0.0.1, never connects when the guard refuses (the failure names the address and
 * the setting), and does when {@code sftp.events.allow-private-targets} is set.
 */
class TargetAddressesTest {

    static EventsProperties properties(boolean allowPrivate) {
        return new EventsProperties(allowPrivate, null, 4, 2, 64, Duration.ofMillis(200), Duration.ofSeconds(20),
                new EventsProperties.Webhook(Duration.ofSeconds(2)),
                new EventsProperties.Retry(Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ofHours(24)),
                new EventsProperties.Kafka(null), Duration.ofMinutes(15), Duration.ofDays(30));
    }

    @Test
    void privateLoopbackLinkLocalAndSimilarAddressesAreRefusedPublicOnesNot() throws Exception {
        for (String address : List.of("127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "::", "fd00::1", "fc00::1", "fe80::1", "ff02::1", "64:ff9b::a9fe:a9fe",
                "::ffff:127.0.0.1", "::ffff:169.254.169.254")) {
            assertThat(TargetAddresses.refusal(InetAddress.getByName(address))).as(address).isNotNull();
        }
        for (String address : List.of("93.184.215.14", "1.1.1.1", "2606:4700::1111", "172.32.0.1", "100.128.0.1")) {
            assertThat(TargetAddresses.refusal(InetAddress.getByName(address))).as(address).isNull();
        }
    }

    @Test
    void aNameIsAnsweredOnlyWithItsPermittedAddresses() throws Exception {
        TargetAddresses guard = new TargetAddresses(false, WebhookAction.PRIVATE_TARGETS, new org.apache.hc.client5.http.DnsResolver() {
            @Override
            public InetAddress[] resolve(String host) throws UnknownHostException {
                return switch (host) {
                    case "mixed.example" -> new InetAddress[] {InetAddress.getByName("10.0.0.1"), InetAddress.getByName("1.1.1.1")};
                    default -> new InetAddress[] {InetAddress.getByName("127.0.0.1")};
                };
            }

            @Override
            public String resolveCanonicalHostname(String host) {
                return host;
            }
        });
        assertThat(guard.resolve("mixed.example")).containsExactly(InetAddress.getByName("1.1.1.1"));
        assertThatThrownBy(() -> guard.resolve("rebound.example")).isInstanceOf(UnknownHostException.class)
                .hasMessageContaining("127.0.0.1 (loopback)").hasMessageContaining("sftp.events.allow-private-targets");
    }

    @Test
    void theWebhookNeverConnectsToARefusedAddressAndSaysWhy() throws Exception {
        SecretBox box = new SecretBox(null);
        ObjectNode action = EventRules.JSON.createObjectNode().put("type", "webhook").put("secret", box.seal("0123456789abcdef0123"));
        OutgoingEvent event = new OutgoingEvent(1, 2, "r", "u:/p", "{}");
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            WebhookAction guarded = new WebhookAction(properties(false), box);
            try {
                for (String host : List.of("127.0.0.1", "localhost", "[::1]")) {
                    DeliveryOutcome outcome = guarded.deliver(event, action.deepCopy().put("url", "http://" + host + ":" + receiver.port() + "/x"));
                    assertThat(outcome.delivered()).as(host).isFalse();
                    assertThat(outcome.error()).as(host).contains("loopback").contains("sftp.events.allow-private-targets");
                }
                assertThat(receiver.requests()).isEmpty();
            } finally {
                guarded.destroy();
            }
            WebhookAction open = new WebhookAction(properties(true), box);
            try {
                DeliveryOutcome outcome = open.deliver(event, action.deepCopy().put("url", receiver.url("/x")));
                assertThat(outcome.delivered()).as(String.valueOf(outcome)).isTrue();
                assertThat(receiver.requests()).hasSize(1);
            } finally {
                open.destroy();
            }
        }
    }

    @Test
    void aRuleNamingARefusedAddressIsRefusedWhenSaved() {
        WebhookAction guarded = new WebhookAction(properties(false), new SecretBox(null));
        for (String url : List.of("http://169.254.169.254/latest/meta-data", "http://10.0.0.1/", "http://127.0.0.1:8080/",
                "http://[::1]/", "http://[fd00::1]/")) {
            ObjectNode given = EventRules.JSON.createObjectNode().put("type", "webhook").put("url", url);
            assertThatThrownBy(() -> guarded.validate(given, null, "actions[0]")).as(url).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("sftp.events.allow-private-targets")
                    .satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo("actions[0].url"));
        }
        ObjectNode fine = EventRules.JSON.createObjectNode().put("type", "webhook").put("url", "https://hooks.example.com/ferry");
        assertThat(guarded.validate(fine, null, "actions[0]").shownOnce().get("secret").asString()).startsWith("whsec_");
    }
}
