package dev.ferry.events;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The webhook secrets' sealing key, from {@code sftp.events.secret-key}. */
@Configuration(proxyBeanMethods = false)
class EventsConfiguration {

    @Bean
    SecretBox eventSecretBox(EventsProperties properties) {
        return new SecretBox(properties.secretKey());
    }
}
