package dev.ferry.adminapi;

import dev.ferry.admins.AdminAccounts;
import dev.ferry.admins.ApiTokens;
import dev.ferry.shared.PasswordHasher;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.firewall.RequestRejectedHandler;

/**
 * The admin API is closed by default: HTTP Basic with an admin account or a bearer API token;
 * AUDITORs read, ADMINs also write. Only health probes and the OpenAPI description are public.
 * Failed logins are throttled per address ({@link LoginThrottle}).
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    @Bean
    SecurityFilterChain adminApi(HttpSecurity http, LoginThrottle throttle, ApiTokens tokens) throws Exception {
        // Plain objects, not beans: a Filter bean would also be registered for every request outside this chain.
        http.addFilterBefore(new LoginThrottleFilter(throttle), BasicAuthenticationFilter.class)
                .addFilterBefore(new BearerTokenFilter(tokens), BasicAuthenticationFilter.class);
        http.authorizeHttpRequests(auth -> auth
                        .requestMatchers("/actuator/health", "/actuator/health/**").permitAll()
                        .requestMatchers("/v3/api-docs", "/v3/api-docs/**").permitAll()
                        .requestMatchers(HttpMethod.GET, "/api/**").hasAnyRole("ADMIN", "AUDITOR")
                        .requestMatchers(HttpMethod.HEAD, "/api/**").hasAnyRole("ADMIN", "AUDITOR")
                        .requestMatchers("/api/**").hasRole("ADMIN")
                        .requestMatchers("/actuator/**").hasAnyRole("ADMIN", "AUDITOR")
                        .anyRequest().permitAll())
                .httpBasic(basic -> basic.realmName("ferry").authenticationEntryPoint((request, response, e) ->
                        writeProblem(response, HttpStatus.UNAUTHORIZED, "Unauthorized",
                                "authenticate with HTTP Basic (an admin account) or a bearer token", true)))
                .exceptionHandling(ex -> ex.accessDeniedHandler((request, response, e) ->
                        writeProblem(response, HttpStatus.FORBIDDEN, "Forbidden",
                                "this account may only read: changes need the ADMIN role", false)))
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                // Stateless Basic auth sends no cookie a browser could replay, so CSRF tokens add nothing here.
                .csrf(csrf -> csrf.ignoringRequestMatchers("/api/**"));
        return http.build();
    }

    /** URLs the firewall refuses (an encoded '%', a ';', ...) get a problem too, not Boot's error JSON. */
    @Bean
    RequestRejectedHandler requestRejected() {
        return (request, response, e) -> writeProblem(response, HttpStatus.BAD_REQUEST, "Bad request",
                "the URL contains characters that are not allowed here (such as an encoded % or a ;)", false);
    }

    @Bean
    UserDetailsService adminDetails(AdminAccounts admins) {
        return username -> admins.find(username)
                .map(admin -> User.withUsername(admin.username())
                        .password(admin.passwordHash())
                        .roles(admin.role().name())
                        .build())
                .orElseThrow(() -> new UsernameNotFoundException("no such admin"));
    }

    @Bean
    PasswordEncoder passwordEncoder(PasswordHasher hasher) {
        return new PasswordEncoder() {
            @Override
            public String encode(CharSequence raw) {
                return hasher.hash(raw);
            }

            @Override
            public boolean matches(CharSequence raw, String encoded) {
                return hasher.matches(raw, encoded);
            }
        };
    }

    private static void writeProblem(HttpServletResponse response, HttpStatus status, String title, String detail,
            boolean challenge) throws java.io.IOException {
        if (challenge) {
            response.setHeader("WWW-Authenticate", "Basic realm=\"ferry\"");
        }
        ProblemResponses.write(response, status, title, detail);
    }
}
