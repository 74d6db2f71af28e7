package dev.ferry.admins;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param password bootstrap password of the {@code admin} account, used only when no admin
 *                 exists; from {@code SFTP_ADMIN_PASSWORD}. Unset: a random one is logged once.
 */
@ConfigurationProperties("sftp.admin")
public record AdminProperties(String password) {

    @Override
    public String toString() {
        return "AdminProperties[password=" + (password == null ? "unset" : "****") + "]";
    }
}
