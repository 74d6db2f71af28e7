package dev.ferry.identity.hook;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The auth hook, only when {@code sftp.auth-hook.url} is set; asked after LDAP. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty("sftp.auth-hook.url")
class AuthHookConfiguration {

    private static final Logger log = LoggerFactory.getLogger(AuthHookConfiguration.class);

    @Bean
    @Order(2)
    AuthHook authHook(AuthHookProperties properties) {
        log.info("SFTP users not held locally are decided by the auth hook {} (answers kept {}, denies {})", properties.url(),
                properties.cacheTtl(), properties.denyCacheTtl());
        // a profile member Ferry does not know is an error of the hook, not something to ignore silently
        return new AuthHook(properties, JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build());
    }
}
