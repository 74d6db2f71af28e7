package dev.ferry.events;

import dev.ferry.shared.InvalidInputException;
import dev.ferry.shared.SecretBox;
import dev.ferry.shared.TargetAddresses;
import dev.ferry.shared.WebhookSignature;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code {"type": "webhook", "url": ..., "secret": ...}}: POSTs the event to an http(s) URL, signed
 * with the rule's secret (the contract's headers). The secret is write-only: generated when not
 * given and shown once, sealed at rest ({@link SecretBox}), kept on an update that omits it. No
 * redirects are followed and HttpClient never resends on its own: every attempt is the outbox's,
 * so no event is sent twice without a retry in between. Connections go only to addresses
 * {@link TargetAddresses} permits.
 */
@Component
class WebhookAction implements EventAction, DisposableBean {

    static final String TYPE = "webhook";
    static final String PRIVATE_TARGETS = "sftp.events.allow-private-targets";
    private static final Set<String> MEMBERS = Set.of("type", "url", "secret");
    private static final Pattern SECRET = Pattern.compile("[\\x21-\\x7e]{16,256}");
    private static final int EXCERPT = 200;

    private final SecretBox secrets;
    private final boolean allowPrivate;
    private final long timeoutMillis;
    private final CloseableHttpClient http;
    private final ScheduledExecutorService deadlines;
    private final Clock clock;

    WebhookAction(EventsProperties properties, SecretBox secrets) {
        this.secrets = secrets;
        this.allowPrivate = properties.allowPrivateTargets();
        this.timeoutMillis = properties.webhook().timeout().toMillis();
        this.clock = Clock.systemUTC();
        Timeout timeout = Timeout.ofMilliseconds(timeoutMillis);
        PoolingHttpClientConnectionManager connections = PoolingHttpClientConnectionManagerBuilder.create()
                .setDnsResolver(new TargetAddresses(allowPrivate, PRIVATE_TARGETS))
                .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(timeout).setSocketTimeout(timeout)
                        .setValidateAfterInactivity(TimeValue.ofSeconds(1)).setTimeToLive(TimeValue.ofMinutes(5)).build())
                .setMaxConnTotal(properties.concurrency()).setMaxConnPerRoute(properties.perEndpoint())
                .build();
        this.http = HttpClients.custom().setConnectionManager(connections)
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(timeout).setConnectionRequestTimeout(timeout)
                        .setRedirectsEnabled(false).build())
                .disableRedirectHandling().disableAutomaticRetries().disableCookieManagement().disableAuthCaching()
                .setUserAgent("Ferry-Webhook/1").build();
        this.deadlines = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ferry-webhook-deadlines");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Validated validate(ObjectNode given, ObjectNode previous, String field) {
        rejectUnknown(given, field);
        URI url = url(given.get("url"), field + ".url");
        JsonNode secretNode = given.get("secret");
        ObjectNode stored = given.objectNode().put("type", TYPE).put("url", url.toString());
        ObjectNode shownOnce = null;
        if (secretNode == null || secretNode.isNull()) {
            if (previous != null && previous.hasNonNull("secret")) {
                stored.put("secret", previous.get("secret").asString());
            } else {
                String generated = SecretBox.newWebhookSecret();
                stored.put("secret", secrets.seal(generated));
                shownOnce = given.objectNode().put("secret", generated);
            }
        } else {
            if (!secretNode.isString() || !SECRET.matcher(secretNode.asString()).matches()) {
                throw new InvalidInputException(field + ".secret", field + ".secret must be 16 to 256 printable ASCII characters "
                        + "without spaces, or left out to have one generated");
            }
            stored.put("secret", secrets.seal(secretNode.asString()));
        }
        return new Validated(stored, shownOnce);
    }

    private static void rejectUnknown(ObjectNode given, String field) {
        for (Iterator<String> names = given.propertyNames().iterator(); names.hasNext();) {
            String name = names.next();
            if (!MEMBERS.contains(name)) {
                throw new InvalidInputException(field + "." + name, field + "." + name + " is not a member of a webhook action "
                        + "(it has url and secret)");
            }
        }
    }

    private URI url(JsonNode node, String field) {
        if (node == null || !node.isString() || node.asString().isBlank()) {
            throw new InvalidInputException(field, field + " is required: the http or https URL to POST events to");
        }
        String text = node.asString();
        URI url;
        try {
            url = new URI(text);
        } catch (URISyntaxException e) {
            throw new InvalidInputException(field, field + " is not a URL: " + e.getReason());
        }
        if (text.length() > 2048) {
            throw new InvalidInputException(field, field + " is longer than 2048 characters");
        }
        if (url.getScheme() == null || !(url.getScheme().equalsIgnoreCase("http") || url.getScheme().equalsIgnoreCase("https"))) {
            throw new InvalidInputException(field, field + " must be an http:// or https:// URL");
        }
        if (url.getRawUserInfo() != null) {
            throw new InvalidInputException(field, field + " must not carry a user or password (user:password@): the signature "
                    + "authenticates Ferry to the receiver");
        }
        if (url.getHost() == null || url.getHost().isEmpty()) {
            throw new InvalidInputException(field, field + " has no host");
        }
        if (url.getPort() > 65535) {
            throw new InvalidInputException(field, field + " has a port above 65535");
        }
        if (url.getRawFragment() != null) {
            throw new InvalidInputException(field, field + " must not have a #fragment");
        }
        String why = allowPrivate ? null : TargetAddresses.literalRefusal(url.getHost());
        if (why != null) {
            throw new InvalidInputException(field, why.equals("invalid") ? field + " has an invalid address"
                    : field + " points at a " + why + " address; " + TargetAddresses.hint(PRIVATE_TARGETS));
        }
        return url;
    }

    @Override
    public ObjectNode view(ObjectNode stored) {
        ObjectNode view = stored.deepCopy();
        view.remove("secret");
        view.put("secretSet", stored.hasNonNull("secret"));
        return view;
    }

    @Override
    public String describe(ObjectNode stored) {
        return "webhook to " + endpoint(stored);
    }

    @Override
    public String endpoint(ObjectNode stored) {
        URI url = URI.create(stored.get("url").asString());
        int port = url.getPort() >= 0 ? url.getPort() : url.getScheme().equalsIgnoreCase("https") ? 443 : 80;
        return url.getScheme().toLowerCase() + "://" + url.getHost() + ":" + port;
    }

    @Override
    public DeliveryOutcome deliver(OutgoingEvent event, ObjectNode stored) {
        String secret;
        try {
            secret = secrets.open(stored.get("secret").asString());
        } catch (IllegalStateException e) {
            return DeliveryOutcome.failed(null, e.getMessage());
        }
        long timestamp = clock.instant().getEpochSecond();
        HttpPost post = new HttpPost(stored.get("url").asString());
        post.setHeader("Ferry-Event-Id", Long.toString(event.eventId()));
        post.setHeader("Ferry-Delivery-Id", Long.toString(event.deliveryId()));
        post.setHeader("Ferry-Timestamp", Long.toString(timestamp));
        post.setHeader("Ferry-Signature", WebhookSignature.sign(secret, timestamp, event.body()));
        post.setEntity(new StringEntity(event.body(), ContentType.APPLICATION_JSON.withCharset(StandardCharsets.UTF_8)));
        // The socket timeout bounds each wait; this bounds the whole answer (a receiver dribbling bytes).
        ScheduledFuture<?> deadline = deadlines.schedule(post::cancel, timeoutMillis, TimeUnit.MILLISECONDS);
        try {
            return http.execute(post, response -> {
                int status = response.getCode();
                if (status >= 200 && status < 300) {
                    return DeliveryOutcome.delivered(status);
                }
                return DeliveryOutcome.failed(status, "HTTP " + status + excerpt(response.getEntity()));
            });
        } catch (IOException e) {
            if (post.isCancelled()) {
                return DeliveryOutcome.failed(null, "no complete answer within " + timeoutMillis + " ms");
            }
            return DeliveryOutcome.failed(null, describe(e));
        } finally {
            deadline.cancel(false);
        }
    }

    private static String excerpt(HttpEntity entity) throws IOException {
        if (entity == null) {
            return "";
        }
        try (InputStream in = entity.getContent()) {
            byte[] start = in.readNBytes(EXCERPT);
            String text = new String(start, StandardCharsets.UTF_8).replaceAll("[\\x00-\\x1f\\x7f]+", " ").trim();
            return text.isEmpty() ? "" : ": " + text + (start.length == EXCERPT ? "..." : "");
        }
    }

    private static String describe(IOException e) {
        String name = e.getClass().getSimpleName();
        return e.getMessage() == null ? name : name + ": " + e.getMessage();
    }

    @Override
    public void destroy() throws IOException {
        deadlines.shutdownNow();
        http.close();
    }
}
