package dev.ferry.admins;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param password   bootstrap password of the {@code admin} account, used only when no admin
 *                   exists; from {@code SFTP_ADMIN_PASSWORD}. Unset: a random one is logged once.
 * @param requireMfa every local admin must use a second factor (TOTP): one without enrols at the next login
 */
@ConfigurationProperties("sftp.admin")
public record AdminProperties(String password, @DefaultValue("false") boolean requireMfa) {

    @Override
    public String toString() {
        return "AdminProperties[password=" + (password == null ? "unset" : "****") + ", requireMfa=" + requireMfa + "]";
    }
}
