package dev.ferry.identity.ldap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/** The LDAP identity source, only when {@code sftp.ldap.url} is set; asked before the auth hook. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty("sftp.ldap.url")
class LdapConfiguration {

    private static final Logger log = LoggerFactory.getLogger(LdapConfiguration.class);

    @Bean
    @Order(1)
    LdapIdentitySource ldapIdentitySource(LdapProperties properties) {
        log.info("SFTP users not held locally are looked up in {} under '{}' with {}", properties.url(), properties.base(),
                properties.userFilter());
        return new LdapIdentitySource(properties, new LdapDirectory(properties));
    }
}
