package dev.ferry.adminapi;

import dev.ferry.admins.ApiTokens;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.Cookie;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.server.servlet.ConfigurableServletWebServerFactory;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.ObjectPostProcessor;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestRedirectFilter;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.JwtDecoderInitializationException;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserRequest;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserService;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.ClientRegistrations;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.oidc.user.DefaultOidcUser;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.SupplierJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.oauth2.server.resource.web.BearerTokenResolver;
import org.springframework.security.oauth2.server.resource.web.DefaultBearerTokenResolver;
import org.springframework.security.web.authentication.SimpleUrlAuthenticationFailureHandler;
import org.springframework.security.web.authentication.SimpleUrlAuthenticationSuccessHandler;
import org.springframework.stereotype.Component;

/**
 * Admin single sign-on, wired by {@link SecurityConfiguration} only when {@code sftp.admin.oidc.issuer} is set; everything is
 * Spring Security's: OAuth2 login (authorization code with PKCE) starts an admin UI session, and
 * the resource server accepts the provider's JWT access tokens on the API (signature against the
 * issuer's JWKS, issuer, audience, expiry). The provider is discovered on first use, not at start:
 * an identity provider that is down never keeps Ferry (and its SFTP service) from starting.
 * Ferry's own API tokens ({@code ferry_...}) stay with {@link BearerTokenFilter}.
 */
final class OidcSso {

    private static final Logger log = LoggerFactory.getLogger(OidcSso.class);

    private final OidcProperties properties;
    private final OidcIdentity identity;
    private final JwtDecoder accessTokens;
    private final ClientRegistrationRepository registrations;

    OidcSso(OidcProperties properties) {
        this.properties = properties;
        this.identity = new OidcIdentity(properties);
        JwtDecoder lazy = new SupplierJwtDecoder(this::accessTokenDecoder);
        this.accessTokens = token -> {
            try {
                return lazy.decode(token);
            } catch (BadJwtException e) {
                throw e; // the token itself is wrong: 401
            } catch (JwtException | JwtDecoderInitializationException e) {
                // discovery or the JWKS could not be read: the provider's fault, not the caller's (503, not 500)
                log.warn("Admin single sign-on: access token not checked, the OpenID provider at {} could not be read: {}",
                        properties.issuer(), e.getMessage());
                throw new ProviderUnavailable(e);
            }
        };
        this.registrations = new DiscoveredRegistration(properties);
        log.info("Admin single sign-on with {} ({}), client {}; API access tokens need audience {}", properties.providerName(),
                properties.issuer(), properties.clientId(), properties.audience());
    }

    OidcProperties properties() {
        return properties;
    }

    /** The access token could not be checked because the provider (its discovery document or JWKS) is unreachable. */
    static final class ProviderUnavailable extends BadJwtException {
        ProviderUnavailable(Throwable cause) {
            super("the OpenID provider could not be reached", cause);
        }
    }

    /** 401 for a token that is not valid here; 503 when the provider could not be asked. Never the token in the answer. */
    private void refuseToken(HttpServletRequest request, HttpServletResponse response, AuthenticationException e) throws IOException {
        if (e.getCause() instanceof ProviderUnavailable) {
            response.setHeader(HttpHeaders.RETRY_AFTER, "30");
            ProblemResponses.write(response, HttpStatus.SERVICE_UNAVAILABLE, "Identity provider unavailable", "the access token "
                    + "could not be checked: " + properties.providerName() + " (" + properties.issuer() + ") did not answer. "
                    + "Try again shortly, or use a Ferry API token");
            return;
        }
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"ferry\", error=\"invalid_token\"");
        ProblemResponses.write(response, HttpStatus.UNAUTHORIZED, "Unauthorized", "the bearer token is neither a Ferry "
                + "API token nor a valid access token of " + properties.providerName() + " for audience '" + properties.audience()
                + "' (signature, issuer, audience and expiry are checked): get a new one");
    }

    /** Adds OAuth2 login and JWT bearer tokens to the admin API's chain. */
    void configure(HttpSecurity http) throws Exception {
        SimpleUrlAuthenticationSuccessHandler success = new SimpleUrlAuthenticationSuccessHandler("/");
        success.setAlwaysUseDefaultTargetUrl(true);
        http.oauth2Login(login -> login
                        .clientRegistrationRepository(registrations)
                        .loginPage("/")
                        .userInfoEndpoint(info -> info.oidcUserService(this::loadUser))
                        .successHandler(success)
                        .failureHandler((request, response, e) -> {
                            // Back to the UI's login page, which explains the code; the reason stays in the log.
                            String code = e instanceof OAuth2AuthenticationException o && "access_denied".equals(o.getError().getErrorCode())
                                    ? "denied" : "failed";
                            log.warn("Admin single sign-on failed from {}: {}", request.getRemoteAddr(), e.getMessage());
                            new SimpleUrlAuthenticationFailureHandler("/?sso-error=" + code).onAuthenticationFailure(request, response, e);
                        })
                        // the provider could not be read when the login starts: back to the login page, not a 500
                        .withObjectPostProcessor(new ObjectPostProcessor<OAuth2AuthorizationRequestRedirectFilter>() {
                            @Override
                            public <O extends OAuth2AuthorizationRequestRedirectFilter> O postProcess(O filter) {
                                filter.setAuthenticationFailureHandler(new SimpleUrlAuthenticationFailureHandler("/?sso-error=unavailable"));
                                return filter;
                            }
                        }))
                .oauth2ResourceServer(rs -> rs
                        .bearerTokenResolver(jwtOnly())
                        .authenticationEntryPoint(this::refuseToken)
                        .jwt(jwt -> jwt.decoder(accessTokens).jwtAuthenticationConverter(
                                token -> new JwtAuthenticationToken(token, identity.authorities(token.getClaims()), identity.name(token.getClaims())))));
    }

    /** Bearer tokens that are not Ferry's own API tokens (those never reach the JWT decoder). */
    private static BearerTokenResolver jwtOnly() {
        DefaultBearerTokenResolver bearer = new DefaultBearerTokenResolver();
        return (HttpServletRequest request) -> {
            String token = bearer.resolve(request);
            return token == null || token.startsWith(ApiTokens.PREFIX) ? null : token;
        };
    }

    private JwtDecoder accessTokenDecoder() {
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withIssuerLocation(properties.issuer()).build();
        String audience = properties.audience();
        decoder.setJwtValidator(JwtValidators.createDefaultWithValidators(
                JwtValidators.createDefaultWithIssuer(properties.issuer()),
                new JwtClaimValidator<List<String>>(JwtClaimNames.AUD, aud -> aud != null && aud.contains(audience))));
        return decoder;
    }

    /** The user behind an admin UI login; one in none of the mapped groups is refused here, before any session. */
    private OidcUser loadUser(OidcUserRequest request) {
        OidcUser user = new OidcUserService().loadUser(request);
        Map<String, Object> claims = user.getClaims();
        String name = identity.name(claims);
        if (identity.role(claims).isEmpty()) {
            log.warn("Admin single sign-on refused for {}: claim '{}' holds none of {}", name, properties.roleClaim(),
                    properties.roleMapping().keySet());
            throw new OAuth2AuthenticationException(new OAuth2Error("access_denied", "no Ferry role for " + name, null));
        }
        return new SsoAdmin(user, identity.authorities(claims), name);
    }

    /** An OIDC user named as the audit names them ({@code oidc:<host>:<user>}). */
    static final class SsoAdmin extends DefaultOidcUser {

        private final String name;

        SsoAdmin(OidcUser user, List<org.springframework.security.core.GrantedAuthority> authorities, String name) {
            super(authorities, user.getIdToken(), user.getUserInfo());
            this.name = name;
        }

        @Override
        public String getName() {
            return name;
        }
    }

    /** The client registration from the issuer's discovery document, fetched on first use and kept once it worked. */
    static final class DiscoveredRegistration implements ClientRegistrationRepository {

        private final OidcProperties properties;
        private volatile ClientRegistration registration;

        DiscoveredRegistration(OidcProperties properties) {
            this.properties = properties;
        }

        @Override
        public ClientRegistration findByRegistrationId(String registrationId) {
            if (!OidcProperties.REGISTRATION.equals(registrationId)) {
                return null;
            }
            ClientRegistration found = registration;
            if (found == null) {
                synchronized (this) {
                    if (registration == null) {
                        registration = discover();
                    }
                    found = registration;
                }
            }
            return found;
        }

        private ClientRegistration discover() {
            try {
                return ClientRegistrations.fromIssuerLocation(properties.issuer())
                        .registrationId(OidcProperties.REGISTRATION)
                        .clientName(properties.providerName())
                        .clientId(properties.clientId())
                        .clientSecret(properties.clientSecret())
                        .clientAuthenticationMethod(properties.clientSecret() == null ? ClientAuthenticationMethod.NONE
                                : ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                        .scope(properties.scopes())
                        .redirectUri("{baseUrl}/login/oauth2/code/{registrationId}")
                        .build();
            } catch (RuntimeException e) {
                log.warn("Admin single sign-on: the OpenID provider at {} could not be read ({}); retrying at the next login",
                        properties.issuer(), e.getMessage());
                throw e;
            }
        }
    }

    /**
     * The provider sends the browser back to Ferry from another site, and a SameSite=Strict session cookie is
     * not sent with that request (the login would not find its state). With SSO on, the session cookie is Lax:
     * still never sent with another site's POST or script request, and changes still need the CSRF token.
     */
    @Component
    static final class LaxSessionCookie implements WebServerFactoryCustomizer<ConfigurableServletWebServerFactory>, Ordered {

        private final OidcProperties properties;

        LaxSessionCookie(OidcProperties properties) {
            this.properties = properties;
        }

        @Override
        public void customize(ConfigurableServletWebServerFactory factory) {
            if (properties.enabled()) {
                factory.getSettings().getSession().getCookie().setSameSite(Cookie.SameSite.LAX);
            }
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE; // after Boot's own, which applies server.servlet.session.cookie.*
        }
    }

}
