package dev.ferry.users;

import dev.ferry.quotas.QuotaLedger;
import dev.ferry.quotas.Usage;
import dev.ferry.storage.StorageType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Turns the stored account into what the admin API shows ({@link UserView}, {@link KeyView}) and
 * what a login needs ({@link LoginAccount}): {@link UserService} decides, this only reads.
 */
@Component
class UserViews {

    private final UserKeyRepository keys;
    private final QuotaLedger quotas;
    private final LoginFactors factors;

    UserViews(UserKeyRepository keys, QuotaLedger quotas, LoginFactors factors) {
        this.keys = keys;
        this.quotas = quotas;
        this.factors = factors;
    }

    UserView view(User user) {
        List<String> keyLines = keys.findByUserIdOrderById(user.id()).stream()
                .map(k -> k.keyType + " " + k.keyData + (k.comment == null ? "" : " " + k.comment))
                .toList();
        UserSpec.Storage storageView = user.storageType.equals(StorageType.LOCAL.typeName())
                ? new UserSpec.Storage("local", null, null)
                : new UserSpec.Storage(user.storageType, user.s3Bucket, user.s3Prefix);
        return new UserView(user.username, user.passwordHash != null, keyLines, user.enabled, time(user.expiresAt),
                storageView, new UserSpec.Quota(user.quotaMaxBytes, user.quotaMaxFiles), permissions(user),
                List.copyOf(user.allowedIps), user.maxSessions, user.maxFileSize,
                new UserSpec.Bandwidth(user.uploadBytesPerSecond, user.downloadBytesPerSecond),
                user.id() == null ? new Usage(0, 0) : quotas.usage(user.id()),
                time(user.createdAt), time(user.updatedAt), user.source,
                user.id() == null ? LoginPolicy.ANY.value() : factors.policy(user.id()).value(),
                user.id() != null && factors.totpEnrolled(user.id()));
    }

    static LoginAccount loginAccount(User user) {
        return new LoginAccount(user.id(), user.username, user.enabled, user.expiresAt, user.home(), permissions(user),
                List.copyOf(user.allowedIps), user.maxSessions, user.quotaMaxBytes, user.quotaMaxFiles,
                user.maxFileSize, user.uploadBytesPerSecond, user.downloadBytesPerSecond);
    }

    static KeyView keyView(UserKey key) {
        return new KeyView(key.id(), key.keyType, key.keyType + " " + key.keyData + (key.comment == null ? "" : " " + key.comment),
                key.comment, key.fingerprint, time(key.createdAt), key.label, time(key.expiresAt), time(key.lastUsedAt));
    }

    private static Map<String, List<String>> permissions(User user) {
        Map<String, List<String>> result = new LinkedHashMap<>();
        user.permissions.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> result.put(e.getKey(), e.getValue().isEmpty() ? List.of() : List.of(e.getValue().split(","))));
        return result;
    }

    private static OffsetDateTime time(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
