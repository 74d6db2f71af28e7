package dev.ferry.shared;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** The one {@link SecretBox}: its key from {@code sftp.secret-key}, or its older name {@code sftp.events.secret-key}. */
@Configuration(proxyBeanMethods = false)
class SecretsConfiguration {

    @Bean
    SecretBox secretBox(Environment environment) {
        String key = environment.getProperty("sftp.secret-key");
        return new SecretBox(key == null || key.isBlank() ? environment.getProperty("sftp.events.secret-key") : key);
    }
}
