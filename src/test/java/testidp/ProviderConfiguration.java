package testidp;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import dev.ferry.testsupport.OidcProvider;
import java.net.InetAddress;
import java.util.List;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
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
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.core.oidc.endpoint.OidcParameterNames;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
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

/**
 * The Spring configuration of the tests' OpenID provider ({@link OidcProvider}). In a package of its
 * own, outside {@code dev.ferry}: Ferry's component scan must never find it in the tests' classpath.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
public class ProviderConfiguration {

    /** Where it listens, where the {@code ferry} client returns to, and its signing key. */
    public record Settings(int port, String redirectUri, RSAKey key) {
        String issuer() {
            return "http://localhost:" + port;
        }
    }

    @Bean
    TomcatServletWebServerFactory oidcProviderTomcat(Settings settings) throws Exception {
        TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory(settings.port());
        factory.setAddress(InetAddress.getByName("127.0.0.1"));
        return factory;
    }

    @Bean
    DispatcherServlet dispatcherServlet() {
        return new DispatcherServlet();
    }

    @Bean
    @Order(1)
    SecurityFilterChain authorizationServer(HttpSecurity http) throws Exception {
        http.oauth2AuthorizationServer(server -> {
                    http.securityMatcher(server.getEndpointsMatcher());
                    server.oidc(Customizer.withDefaults());
                })
                .authorizeHttpRequests(auth -> auth.anyRequest().authenticated())
                .exceptionHandling(e -> e.authenticationEntryPoint(new LoginUrlAuthenticationEntryPoint("/login")))
                .oauth2ResourceServer(rs -> rs.jwt(Customizer.withDefaults()));
        return http.build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain loginForm(HttpSecurity http) throws Exception {
        http.authorizeHttpRequests(auth -> auth.anyRequest().authenticated()).formLogin(Customizer.withDefaults());
        return http.build();
    }

    @Bean
    UserDetailsService users() {
        return new InMemoryUserDetailsManager(List.of("alice", "bob", "carol").stream()
                .map(name -> User.withUsername(name).password("{noop}" + OidcProvider.PASSWORD).roles("USER").build()).toList());
    }

    @Bean
    RegisteredClientRepository clients(Settings settings) {
        RegisteredClient ferry = RegisteredClient.withId("ferry").clientId("ferry").clientSecret("{noop}" + OidcProvider.CLIENT_SECRET)
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN)
                .redirectUri(settings.redirectUri())
                .scope(OidcScopes.OPENID).scope(OidcScopes.PROFILE).scope(OidcScopes.EMAIL)
                .clientSettings(ClientSettings.builder().requireAuthorizationConsent(false).build())
                .build();
        List<RegisteredClient> all = new java.util.ArrayList<>(List.of(ferry));
        for (String id : List.of("ci-admin", "ci-auditor", "ci-nobody", "other-app")) {
            all.add(RegisteredClient.withId(id).clientId(id).clientSecret("{noop}" + OidcProvider.CLI_SECRET + "-" + id)
                    .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                    .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                    .scope("ferry").build());
        }
        return new InMemoryRegisteredClientRepository(all);
    }

    @Bean
    OAuth2TokenCustomizer<JwtEncodingContext> groupsClaim() {
        return context -> {
            String principal = context.getPrincipal().getName();
            boolean accessToken = OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType());
            boolean idToken = OidcParameterNames.ID_TOKEN.equals(context.getTokenType().getValue());
            if (accessToken || idToken) {
                context.getClaims().claim("groups", OidcProvider.GROUPS.getOrDefault(principal, List.of()));
                context.getClaims().claim("preferred_username", principal);
            }
            if (accessToken && AuthorizationGrantType.CLIENT_CREDENTIALS.equals(context.getAuthorizationGrantType())
                    && !"other-app".equals(principal)) {
                context.getClaims().audience(List.of("ferry"));
            }
        };
    }

    @Bean
    JWKSource<SecurityContext> keys(Settings settings) {
        return new ImmutableJWKSet<>(new JWKSet(settings.key()));
    }

    @Bean
    JwtDecoder jwtDecoder(Settings settings) throws JOSEException {
        return NimbusJwtDecoder.withPublicKey(settings.key().toRSAPublicKey()).build();
    }

    @Bean
    AuthorizationServerSettings authorizationServerSettings(Settings settings) {
        return AuthorizationServerSettings.builder().issuer(settings.issuer()).build();
    }
}
