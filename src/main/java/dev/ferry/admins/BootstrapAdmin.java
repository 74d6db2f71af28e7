package dev.ferry.admins;

import java.security.SecureRandom;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Creates the {@code admin} account when no admin exists: with {@code SFTP_ADMIN_PASSWORD}, or a
 * random password printed once in the log (the only time it is ever shown).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class BootstrapAdmin implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(BootstrapAdmin.class);
    static final String USERNAME = "admin";

    private final AdminAccounts accounts;
    private final AdminProperties properties;

    BootstrapAdmin(AdminAccounts accounts, AdminProperties properties) {
        this.accounts = accounts;
        this.properties = properties;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (accounts.anyExists()) {
            return;
        }
        String configured = properties.password();
        boolean generated = configured == null || configured.isBlank();
        String password = generated ? randomPassword() : configured;
        if (!accounts.createIfAbsent(USERNAME, password, AdminRole.ADMIN)) {
            return;
        }
        if (generated) {
            log.warn("Created the admin account '{}' with the generated password: {}  "
                    + "(shown only this once; set SFTP_ADMIN_PASSWORD to choose it)", USERNAME, password);
        } else {
            log.info("Created the admin account '{}' with the password from SFTP_ADMIN_PASSWORD", USERNAME);
        }
    }

    private static String randomPassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
