package dev.ferry.testsupport;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.boot.WebApplicationType;
import testidp.ProviderConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.core.oidc.endpoint.OidcParameterNames;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.web.servlet.DispatcherServlet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real OpenID provider for the admin single sign-on tests: Spring Authorization Server in a
 * Spring context of its own (no auto-configuration, nothing of Ferry's), with its own Tomcat on
 * 127.0.0.1. Its issuer is {@code http://localhost:<port>}: another site than Ferry's
 * {@code http://127.0.0.1:<port>} to a browser, as a real provider is. Users (password
 * {@link #PASSWORD}) and clients carry a {@code groups} claim added by a token customizer:
 * <ul>
 * <li>users {@code alice} (ferry-admins), {@code bob} (ferry-auditors), {@code carol} (neither)</li>
 * <li>the admin UI's client {@code ferry} (authorization code, secret {@link #CLIENT_SECRET}), whose access
 * tokens have audience {@code ferry}</li>
 * <li>client-credentials clients {@code ci-admin} (ferry-admins), {@code ci-auditor} (ferry-auditors) and
 * {@code ci-nobody} (neither), secret {@link #CLI_SECRET}{@code -<id>}, given audience {@code ferry} as a provider's audience mapper would, and
 * {@code other-app} (ferry-admins) whose tokens are for itself only</li>
 * </ul>
 * The signing key is at hand ({@link #sign}) so that tests can make tokens a provider would never issue.
 */
public final class OidcProvider implements AutoCloseable {

    public static final String PASSWORD = "idp-password-1";
    public static final String CLIENT_SECRET = "ferry-client-secret";
    public static final String CLI_SECRET = "ci-client-secret";
    public static final Map<String, List<String>> GROUPS = Map.of(
            "alice", List.of("staff", "ferry-admins"), "bob", List.of("ferry-auditors"), "carol", List.of("staff"),
            "ci-admin", List.of("ferry-admins"), "ci-auditor", List.of("ferry-auditors"), "ci-nobody", List.of("other"),
            "other-app", List.of("ferry-admins"));

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final ConfigurableApplicationContext context;
    private final int port;
    private final RSAKey key;

    private OidcProvider(ConfigurableApplicationContext context, int port, RSAKey key) {
        this.context = context;
        this.port = port;
        this.key = key;
    }

    /** @param redirectUri where the {@code ferry} client's logins go back to (Ferry's {@code /login/oauth2/code/oidc}) */
    public static OidcProvider start(int port, String redirectUri) {
        RSAKey key;
        try {
            key = new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        ConfigurableApplicationContext context = new SpringApplicationBuilder(ProviderConfiguration.class)
                .web(WebApplicationType.SERVLET)
                .initializers(c -> {
                    c.getBeanFactory().registerSingleton("oidcProviderSettings", new ProviderConfiguration.Settings(port, redirectUri, key));
                })
                .listeners(new LoggingStartLock())
                .properties("spring.main.banner-mode=off", "spring.jmx.enabled=false")
                .run();
        return new OidcProvider(context, port, key);
    }

    public String issuer() {
        return "http://localhost:" + port;
    }

    /** Waits (generously) until the provider answers its discovery document, as Ferry will first ask it. */
    public void awaitDiscovery() {
        HttpRequest request = HttpRequest.newBuilder(URI.create(issuer() + "/.well-known/openid-configuration")).GET().build();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
        while (true) {
            try {
                if (HTTP.send(request, HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the OpenID provider at " + issuer() + " did not answer within 120 s");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** An access token of a client-credentials client, from the provider's token endpoint. */
    public String clientCredentialsToken(String clientId) {
        String basic = Base64.getEncoder().encodeToString((clientId + ":" + CLI_SECRET + "-" + clientId).getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create(issuer() + "/oauth2/token"))
                .header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=ferry")).build();
        return tokenFrom(request);
    }

    /** Exchanges an authorization code the {@code ferry} client received for its access token. */
    public String exchangeCode(String code, String redirectUri, String codeVerifier) {
        String basic = Base64.getEncoder().encodeToString(("ferry:" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
        String form = "grant_type=authorization_code&code=" + enc(code) + "&redirect_uri=" + enc(redirectUri)
                + "&code_verifier=" + enc(codeVerifier);
        HttpRequest request = HttpRequest.newBuilder(URI.create(issuer() + "/oauth2/token"))
                .header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        return tokenFrom(request);
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String tokenFrom(HttpRequest request) {
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("token endpoint answered " + response.statusCode() + ": " + response.body());
            }
            JsonNode json = JsonMapper.builder().build().readTree(response.body());
            return json.get("access_token").asString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A JWT signed with the provider's own key (RS256, its key id): valid unless the claims say otherwise. */
    public String sign(JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        context.close();
    }
}
