package dev.ferry.identity.hook;

import dev.ferry.identity.Credential;
import dev.ferry.identity.Decision;
import dev.ferry.identity.IdentitySource;
import dev.ferry.shared.TargetAddresses;
import dev.ferry.shared.WebhookSignature;
import dev.ferry.users.UserSpec;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * SFTP users decided by an external HTTPS service, as AWS Transfer Family's custom identity
 * provider: each login of a name no local or directory user holds is POSTed (username, password or
 * key fingerprint, client address, protocol; signed like event webhooks), and the answer allows it
 * with a profile (the admin API's user fields) or denies it. Anything else (a timeout, an error
 * status, an answer that is not one) denies. The HTTP client is HttpClient 5 with the webhooks'
 * {@link TargetAddresses} guard, so the hook is held to the same SSRF rules. Neither the secret
 * nor a password is ever logged.
 */
class AuthHook implements IdentitySource, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(AuthHook.class);
    private static final int EXCERPT = 200;

    private final AuthHookProperties properties;
    private final JsonMapper json;
    private final CloseableHttpClient http;
    private final HookAnswers answers;
    private final Clock clock = Clock.systemUTC();

    AuthHook(AuthHookProperties properties, JsonMapper json) {
        this.properties = properties;
        this.json = json;
        Timeout timeout = Timeout.ofMilliseconds(properties.timeout().toMillis());
        this.http = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(new TargetAddresses(properties.allowPrivateTargets(), AuthHookProperties.PRIVATE_TARGETS))
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(timeout).setSocketTimeout(timeout).build())
                        .setMaxConnTotal(64).setMaxConnPerRoute(64).build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(timeout).setConnectionRequestTimeout(timeout).build())
                .disableRedirectHandling().disableAutomaticRetries().disableCookieManagement().disableAuthCaching()
                .setUserAgent("Ferry-AuthHook/1").build();
        this.answers = new HookAnswers(properties.cacheTtl(), properties.denyCacheTtl());
    }

    @Override
    public String name() {
        return "hook";
    }

    @Override
    public Decision authenticate(String username, Credential credential, String clientAddress, String protocol) {
        String key = answers.key(username, credential, clientAddress, protocol);
        Decision cached = answers.get(key);
        if (cached != null) {
            return cached;
        }
        Decision decision = ask(username, credential, clientAddress, protocol);
        answers.put(key, decision);
        return decision;
    }

    private Decision ask(String username, Credential credential, String clientAddress, String protocol) {
        ObjectNode request = json.createObjectNode().put("username", username);
        if (credential instanceof Credential.Password password) {
            request.put("password", password.password());
        } else if (credential instanceof Credential.PublicKey key) {
            request.put("publicKey", key.fingerprint());
        }
        request.put("clientAddress", clientAddress).put("protocol", protocol);
        String body = json.writeValueAsString(request);
        long timestamp = clock.instant().getEpochSecond();
        HttpPost post = new HttpPost(properties.url());
        post.setHeader("Ferry-Timestamp", Long.toString(timestamp));
        post.setHeader("Ferry-Signature", WebhookSignature.sign(properties.secret(), timestamp, body));
        post.setEntity(new StringEntity(body, ContentType.APPLICATION_JSON));
        try {
            return http.execute(post, response -> {
                String text = response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);
                if (response.getCode() != 200) {
                    return unavailable(username, "answered HTTP " + response.getCode() + ": " + excerpt(text));
                }
                return decision(username, text);
            });
        } catch (SocketTimeoutException e) {
            return unavailable(username, "did not answer within " + properties.timeout());
        } catch (IOException | RuntimeException e) {
            return unavailable(username, "could not be reached: " + e.getMessage());
        }
    }

    /** {"allow": true, "profile": {user fields}} or {"allow": false, "reason": "..."}. */
    private Decision decision(String username, String text) {
        JsonNode answer;
        try {
            answer = json.readTree(text);
        } catch (JacksonException e) {
            return unavailable(username, "answered something that is not JSON: " + excerpt(text));
        }
        JsonNode allow = answer == null ? null : answer.get("allow");
        if (allow == null || !allow.isBoolean()) {
            return unavailable(username, "answered without a boolean \"allow\": " + excerpt(text));
        }
        if (!allow.asBoolean()) {
            JsonNode reason = answer.get("reason");
            return Decision.denied("denied by the hook" + (reason != null && reason.isString() ? ": " + excerpt(reason.asString()) : ""));
        }
        JsonNode profile = answer.get("profile");
        UserSpec spec;
        try {
            spec = profile == null || profile.isNull() ? empty() : json.treeToValue(profile, UserSpec.class);
        } catch (JacksonException e) {
            return unavailable(username, "answered a profile Ferry cannot read: " + e.getOriginalMessage());
        }
        return Decision.allowed(new UserSpec(username, true, null, spec.storage(), spec.quota(), spec.permissions(), spec.allowedIps(),
                spec.maxSessions(), spec.maxFileSize(), spec.bandwidth(), null));
    }

    private static UserSpec empty() {
        return new UserSpec(null, null, null, null, null, null, null, null, null, null, null);
    }

    private Decision unavailable(String username, String why) {
        log.warn("Auth hook {} {}: refused the login of {}", properties.url(), why, username);
        return Decision.unavailable("the auth hook " + why.replaceAll(":.*", ""));
    }

    private static String excerpt(String text) {
        String printable = text.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > EXCERPT ? printable.substring(0, EXCERPT) + "..." : printable;
    }

    @Override
    public void destroy() throws IOException {
        http.close();
    }
}
