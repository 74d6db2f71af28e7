package dev.ferry.sftp.transfer;

import dev.ferry.users.LoginAccount;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The bandwidth limiters of this instance, one per user and direction, shared by all of the
 * user's sessions here so that parallel sessions do not multiply the limit. A changed limit (the
 * heartbeat refreshes accounts) replaces the user's limiter from the next transfer on.
 */
@Component
class Bandwidth {

    private final Map<Long, RateLimiter> uploads = new ConcurrentHashMap<>();
    private final Map<Long, RateLimiter> downloads = new ConcurrentHashMap<>();

    /** The user's upload limiter, or null when uploads are not limited. */
    RateLimiter uploads(LoginAccount account) {
        return limiter(uploads, account.id(), account.uploadBytesPerSecond());
    }

    /** The user's download limiter, or null when downloads are not limited. */
    RateLimiter downloads(LoginAccount account) {
        return limiter(downloads, account.id(), account.downloadBytesPerSecond());
    }

    private static RateLimiter limiter(Map<Long, RateLimiter> limiters, long userId, long bytesPerSecond) {
        if (bytesPerSecond <= 0) {
            limiters.remove(userId);
            return null;
        }
        return limiters.compute(userId, (id, existing) ->
                existing != null && existing.bytesPerSecond() == bytesPerSecond ? existing : new RateLimiter(bytesPerSecond));
    }
}
