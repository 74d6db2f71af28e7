package dev.ferry.adminapi;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits of the admin HTTP surface ({@code sftp.admin-api.*}).
 *
 * @param maxBodySize   larger request bodies get 413, whether announced by Content-Length or sent chunked
 * @param loginThrottle how failed logins from one address are slowed down
 */
@ConfigurationProperties("sftp.admin-api")
record AdminApiProperties(@DefaultValue("1MB") DataSize maxBodySize, @DefaultValue LoginThrottle loginThrottle) {

    AdminApiProperties {
        if (maxBodySize.toBytes() < 1024) {
            throw new IllegalArgumentException("sftp.admin-api.max-body-size must be at least 1KB, not " + maxBodySize);
        }
    }

    /**
     * @param maxFailures         failed logins from one address (within {@code forgetAfter}) before it is refused
     * @param firstBlock          how long the first refusal lasts; each further failure doubles it
     * @param maxBlock            the longest refusal
     * @param forgetAfter         an address without failures for this long starts afresh
     * @param maxTrackedAddresses memory bound: addresses beyond it are not tracked (and logged)
     */
    record LoginThrottle(@DefaultValue("10") int maxFailures, @DefaultValue("1m") Duration firstBlock,
            @DefaultValue("1h") Duration maxBlock, @DefaultValue("15m") Duration forgetAfter,
            @DefaultValue("100000") int maxTrackedAddresses) {

        LoginThrottle {
            if (maxFailures < 1 || firstBlock.isNegative() || firstBlock.isZero() || maxBlock.compareTo(firstBlock) < 0
                    || forgetAfter.isNegative() || maxTrackedAddresses < 1) {
                throw new IllegalArgumentException("sftp.admin-api.login-throttle: max-failures and max-tracked-addresses must be "
                        + "at least 1, first-block positive and max-block at least first-block");
            }
        }
    }
}
