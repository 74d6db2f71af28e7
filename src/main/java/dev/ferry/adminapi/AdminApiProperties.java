package dev.ferry.adminapi;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits of the admin HTTP surface ({@code sftp.admin-api.*}).
 *
 * @param maxBodySize   larger request bodies get 413, whether announced by Content-Length or sent chunked
 * @param loginThrottle how failed logins are slowed down, per address and account and per address
 */
@ConfigurationProperties("sftp.admin-api")
record AdminApiProperties(@DefaultValue("1MB") DataSize maxBodySize, @DefaultValue LoginThrottle loginThrottle) {

    AdminApiProperties {
        if (maxBodySize.toBytes() < 1024) {
            throw new IllegalArgumentException("sftp.admin-api.max-body-size must be at least 1KB, not " + maxBodySize);
        }
    }

    /**
     * @param maxFailures           failed logins for one account from one address (within {@code forgetAfter})
     *                              before that account's logins from there are refused
     * @param firstBlock            how long the first refusal lasts; each further failure doubles it
     * @param maxBlock              the longest refusal
     * @param forgetAfter           an account and address without failures for this long start afresh
     * @param maxFailuresPerAddress failed logins from one address, over all accounts, before every password login
     *                              from it is refused: a ceiling for sprays over many account names (never below
     *                              {@code maxFailures})
     * @param addressWindow         the per-address count forgets its failures evenly over this time
     * @param maxTracked            memory bound: address-and-account pairs (and addresses) beyond it are not tracked (and logged)
     */
    record LoginThrottle(@DefaultValue("10") int maxFailures, @DefaultValue("1m") Duration firstBlock,
            @DefaultValue("1h") Duration maxBlock, @DefaultValue("15m") Duration forgetAfter,
            @DefaultValue("100") int maxFailuresPerAddress, @DefaultValue("1h") Duration addressWindow,
            @DefaultValue("100000") int maxTracked) {

        LoginThrottle {
            if (maxFailures < 1 || firstBlock.isNegative() || firstBlock.isZero() || maxBlock.compareTo(firstBlock) < 0
                    || forgetAfter.isNegative() || maxTracked < 1) {
                throw new IllegalArgumentException("sftp.admin-api.login-throttle: max-failures and max-tracked must be "
                        + "at least 1, first-block positive and max-block at least first-block");
            }
            if (addressWindow.toMillis() < 1000) {
                throw new IllegalArgumentException("sftp.admin-api.login-throttle.address-window must be at least 1s");
            }
            // one account's failures alone must not close the address to everyone
            maxFailuresPerAddress = Math.max(maxFailuresPerAddress, maxFailures);
        }
    }
}
