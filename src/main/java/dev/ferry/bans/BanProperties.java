package dev.ferry.bans;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Brute-force defence ({@code sftp.defender.*}).
 *
 * @param maxFailures failed logins from one address within {@code window} before it is banned
 * @param window      how long failures are counted
 * @param banTime     the first ban; each further ban of the same address doubles it
 * @param maxBanTime  the longest ban
 */
@ConfigurationProperties("sftp.defender")
public record BanProperties(
        @DefaultValue("10") int maxFailures,
        @DefaultValue("10m") Duration window,
        @DefaultValue("5m") Duration banTime,
        @DefaultValue("24h") Duration maxBanTime) {
}
