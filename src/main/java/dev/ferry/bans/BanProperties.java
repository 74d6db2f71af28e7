package dev.ferry.bans;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Brute-force defence ({@code sftp.defender.*}).
 *
 * @param maxFailures      failed logins as one username from one address within {@code window} before
 *                         that username is blocked from that address (unknown names alike)
 * @param maxAddressScore  score of one address within {@code window} before the whole address is banned:
 *                         each failed login adds 1, or {@code unknownUserScore} for a name no account has
 * @param unknownUserScore what a failed login for a name no account has adds to its address's score
 * @param window           how long failures are counted
 * @param banTime          the first ban; each further ban of the same address (or username at it) doubles it
 * @param maxBanTime       the longest ban
 * @param safeList         addresses (CIDRs) never banned, e.g. monitoring; their failed logins are still audited
 */
@ConfigurationProperties("sftp.defender")
public record BanProperties(
        @DefaultValue("10") int maxFailures,
        @DefaultValue("40") int maxAddressScore,
        @DefaultValue("2") int unknownUserScore,
        @DefaultValue("10m") Duration window,
        @DefaultValue("5m") Duration banTime,
        @DefaultValue("24h") Duration maxBanTime,
        List<String> safeList) {

    public BanProperties {
        if (maxFailures < 1 || maxAddressScore < 1 || unknownUserScore < 1) {
            throw new IllegalArgumentException("sftp.defender.max-failures, .max-address-score and .unknown-user-score must be "
                    + "at least 1");
        }
        safeList = safeList == null ? List.of() : List.copyOf(safeList);
    }
}
