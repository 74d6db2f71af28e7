package dev.ferry.users;

import dev.ferry.access.AccessSettings;
import dev.ferry.groups.EffectiveSettings;
import dev.ferry.groups.GroupService;
import dev.ferry.groups.GroupSettings;
import dev.ferry.groups.Settings;
import dev.ferry.quotas.QuotaLedger;
import dev.ferry.quotas.Usage;
import dev.ferry.storage.StorageType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Turns the stored account into what the admin API shows ({@link UserView}, {@link KeyView}) and
 * what a login needs ({@link LoginAccount}): {@link UserService} decides, this only reads. Both
 * take the settings in force from {@link EffectiveSettings}, the user's own combined with their groups'.
 */
@Component
class UserViews {

    private final UserKeyRepository keys;
    private final QuotaLedger quotas;
    private final LoginFactors factors;
    private final GroupService groups;

    UserViews(UserKeyRepository keys, QuotaLedger quotas, LoginFactors factors, GroupService groups) {
        this.keys = keys;
        this.quotas = quotas;
        this.factors = factors;
        this.groups = groups;
    }

    UserView view(User user) {
        List<String> keyLines = keys.findByUserIdOrderById(user.id()).stream()
                .map(k -> k.keyType + " " + k.keyData + (k.comment == null ? "" : " " + k.comment))
                .toList();
        UserSpec.Storage storageView = user.storageType.equals(StorageType.LOCAL.typeName())
                ? new UserSpec.Storage("local", null, null)
                : new UserSpec.Storage(user.storageType, user.s3Bucket, user.s3Prefix);
        List<GroupSettings> groupSettings = groupsOf(user, groups.settings(user.groupIds));
        LoginFactors.State loginFactors = user.id() == null ? LoginFactors.State.NONE : factors.state(user.id());
        return new UserView(user.username, user.passwordHash != null, keyLines, user.enabled, time(user.expiresAt),
                storageView, new UserSpec.Quota(user.quotaMaxBytes, user.quotaMaxFiles), permissions(user),
                List.copyOf(user.allowedIps), user.maxSessions, user.maxFileSize,
                new UserSpec.Bandwidth(user.uploadBytesPerSecond, user.downloadBytesPerSecond),
                user.id() == null ? new Usage(0, 0) : quotas.usage(user.id()),
                time(user.createdAt), time(user.updatedAt), user.source,
                loginFactors.policy().value(), loginFactors.totpEnrolled(),
                groupSettings.stream().map(GroupSettings::name).toList(), effective(user, groupSettings));
    }

    LoginAccount loginAccount(User user) {
        return loginAccount(user, groups.settings(user.groupIds));
    }

    /** The accounts of many users with one lookup of all their groups. */
    List<LoginAccount> loginAccounts(Collection<User> users) {
        Set<Long> groupIds = new HashSet<>();
        users.forEach(u -> groupIds.addAll(u.groupIds));
        Map<Long, GroupSettings> settings = groups.settings(groupIds);
        return users.stream().map(u -> loginAccount(u, settings)).toList();
    }

    /** What is in force for the user: their own settings combined with their groups'. */
    EffectiveSettings effective(User user) {
        return effective(user, groupsOf(user, groups.settings(user.groupIds)));
    }

    private static LoginAccount loginAccount(User user, Map<Long, GroupSettings> groupSettings) {
        EffectiveSettings in = effective(user, groupsOf(user, groupSettings));
        return new LoginAccount(user.id(), user.username, user.enabled, user.expiresAt, user.home(), in.permissionValues(),
                in.allowedIps().value(), in.maxSessions().value(), in.quota().maxBytes().value(), in.quota().maxFiles().value(),
                user.maxFileSize, in.bandwidth().uploadBytesPerSecond().value(), in.bandwidth().downloadBytesPerSecond().value());
    }

    private static EffectiveSettings effective(User user, List<GroupSettings> groupSettings) {
        return EffectiveSettings.of(new Settings(permissions(user), user.quotaMaxBytes, user.quotaMaxFiles, user.allowedIps,
                user.maxSessions, user.uploadBytesPerSecond, user.downloadBytesPerSecond), groupSettings);
    }

    private static List<GroupSettings> groupsOf(User user, Map<Long, GroupSettings> settings) {
        return user.groupIds.stream().map(settings::get).filter(Objects::nonNull).toList();
    }

    static KeyView keyView(UserKey key) {
        return new KeyView(key.id(), key.keyType, key.keyType + " " + key.keyData + (key.comment == null ? "" : " " + key.comment),
                key.comment, key.fingerprint, time(key.createdAt), key.label, time(key.expiresAt), time(key.lastUsedAt));
    }

    private static Map<String, List<String>> permissions(User user) {
        return AccessSettings.permissionLists(user.permissions);
    }

    private static OffsetDateTime time(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
