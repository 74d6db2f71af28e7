package dev.ferry.users;

import dev.ferry.access.AccessSettings;
import dev.ferry.groups.GroupService;
import dev.ferry.shared.ConflictException;
import dev.ferry.shared.InvalidInputException;
import dev.ferry.shared.NotFoundException;
import dev.ferry.shared.PasswordHasher;
import dev.ferry.storage.HomeLocation;
import dev.ferry.storage.StorageBackend;
import dev.ferry.storage.StorageBackends;
import dev.ferry.storage.StorageType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/** Provisioning and login lookups for SFTP users; their keys are managed by {@link UserKeys}. */
@Service
public class UserService {

    private static final Logger log = LoggerFactory.getLogger(UserService.class);
    /** The source of users provisioned through the admin API. */
    public static final String LOCAL = "local";
    private static final Pattern USERNAME_PART = Pattern.compile("[A-Za-z0-9._-]*");

    private final UserRepository users;
    private final UserKeyRepository keys;
    private final PasswordHasher passwords;
    private final StorageBackends storage;
    private final TransactionTemplate tx;
    private final UserViews views;
    private final Clock clock;
    private final KeyUsage keyUsage;
    private final LoginFactors factors;
    private final GroupService groups;
    private final UserKeys userKeys;

    UserService(UserRepository users, UserKeyRepository keys, PasswordHasher passwords, StorageBackends storage,
            TransactionTemplate tx, UserViews views, Optional<Clock> clock, KeyUsage keyUsage, LoginFactors factors,
            GroupService groups, UserKeys userKeys) {
        this.userKeys = userKeys;
        this.keyUsage = keyUsage;
        this.factors = factors;
        this.groups = groups;
        this.users = users;
        this.keys = keys;
        this.passwords = passwords;
        this.storage = storage;
        this.tx = tx;
        this.views = views;
        this.clock = clock.orElse(Clock.systemUTC());
    }

    // ---- provisioning -------------------------------------------------------------------

    @Transactional
    public UserView create(UserSpec spec, String password, List<String> publicKeys) {
        return create(spec, password, publicKeys, List.of());
    }

    /** Creates a user in {@code groupNames} (in that order; unknown names are refused). */
    @Transactional
    public UserView create(UserSpec spec, String password, List<String> publicKeys, List<String> groupNames) {
        String username = UserRules.username(spec.username());
        UserRules.password(password);
        List<SshPublicKey> parsedKeys = userKeys.parse(publicKeys);
        if (users.findByUsernameIgnoreCase(username).isPresent()) {
            throw duplicate(username);
        }
        User user = new User();
        user.username = username;
        user.createdAt = now();
        user.groupIds.addAll(groups.idsOf(groupNames));
        // a user created without storage gets that of the first of its groups that has one, {username} expanded
        UserSpec.Storage fromGroup = spec.storage() != null ? null : groups.storageFor(user.groupIds, username)
                .map(g -> new UserSpec.Storage(g.type(), g.bucket(), g.prefix())).orElse(null);
        apply(user, spec, fromGroup);
        user.passwordHash = password == null ? null : passwords.hash(password);
        try {
            users.saveAndFlush(user);
        } catch (DataIntegrityViolationException e) {
            throw duplicate(username);
        }
        factors.save(user, spec.loginPolicy(), true);
        userKeys.replace(user, parsedKeys);
        try {
            backend(user).createHome(user.home());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the home of " + username, e);
        }
        log.info("Created user {}", username);
        return views.view(user);
    }

    /** Replaces a user; {@code publicKeys == null} keeps the keys. The username cannot change. */
    @Transactional
    public UserView replace(String username, UserSpec spec, PasswordChange password, List<String> publicKeys) {
        return replace(username, spec, password, publicKeys, null);
    }

    /** As {@link #replace(String, UserSpec, PasswordChange, List)}; {@code groupNames == null} keeps the groups. */
    @Transactional
    public UserView replace(String username, UserSpec spec, PasswordChange password, List<String> publicKeys,
            List<String> groupNames) {
        User user = find(username);
        if (spec.username() != null && !spec.username().equals(user.username)) {
            throw new InvalidInputException("username", "the username cannot be changed (it names the home): "
                    + "leave it out or give '" + user.username + "'");
        }
        HomeLocation before = user.home();
        if (groupNames != null) {
            List<Long> ids = groups.idsOf(groupNames);
            user.groupIds.clear();
            user.groupIds.addAll(ids);
        }
        apply(user, spec);
        if (!user.home().equals(before)) {
            throw new InvalidInputException("storage", "the storage of an existing user cannot be changed yet: create a new user instead");
        }
        if (password instanceof PasswordChange.Set set) {
            UserRules.password(set.password());
            user.passwordHash = passwords.hash(set.password());
        } else if (password instanceof PasswordChange.Remove) {
            user.passwordHash = null;
        }
        if (publicKeys != null) {
            userKeys.replace(user, userKeys.parse(publicKeys));
        }
        user.updatedAt = now();
        users.saveAndFlush(user);
        factors.save(user, spec.loginPolicy(), false);
        log.info("Replaced user {}", user.username);
        return views.view(user);
    }

    /** Enables or disables an account and changes nothing else; a disabled user's sessions end within seconds. */
    @Transactional
    public UserView setEnabled(String username, boolean enabled) {
        User user = find(username);
        user.enabled = enabled;
        user.updatedAt = now();
        users.saveAndFlush(user);
        log.info("{} user {}", enabled ? "Enabled" : "Disabled", user.username);
        return views.view(user);
    }

    /** Deletes the account; its files are kept unless {@code purge}. */
    public void delete(String username, boolean purge) {
        User user = tx.execute(status -> {
            User found = find(username);
            keys.deleteByUserId(found.id());
            users.delete(found);
            return found;
        });
        log.info("Deleted user {}{}", user.username, purge ? " and purged the home" : "");
        if (purge) {
            try {
                backend(user).purgeHome(user.home());
            } catch (IOException e) {
                throw new UncheckedIOException("the user was deleted but its files could not all be removed", e);
            }
        }
    }

    @Transactional(readOnly = true)
    public UserView get(String username) {
        return views.view(find(username));
    }

    /** One page of the users whose name contains {@code query}; the admin API checks the paging parameters. */
    @Transactional(readOnly = true)
    public UserPage list(String query, int page, int size) {
        String q = query == null ? "" : query;
        if (!USERNAME_PART.matcher(q).matches()) {
            // no username contains such a character; and PostgreSQL refuses some of them (NUL) outright
            return new UserPage(List.of(), page, size, 0);
        }
        // '_' is a LIKE wildcard ('%' and '\' cannot get here). Ordered regardless of case, like the
        // names' uniqueness: a C-collation database would otherwise list 'B' before 'a'.
        Page<User> result = users.search(q.replace("_", "\\_"),
                PageRequest.of(page, size, Sort.by(Sort.Order.asc("username").ignoreCase())));
        return new UserPage(result.getContent().stream().map(views::view).toList(), page, size, result.getTotalElements());
    }

    // ---- login --------------------------------------------------------------------------

    /** The account of a user, enabled or not, for checks at login. */
    @Transactional(readOnly = true)
    public Optional<LoginAccount> findLoginAccount(String username) {
        if (username == null || !UserRules.USERNAME.matcher(username).matches()) {
            return Optional.empty();
        }
        return users.findByUsernameIgnoreCase(username).map(views::loginAccount);
    }

    /**
     * The account of a local user (not one provisioned from LDAP or the auth hook): those whose
     * credentials Ferry itself decides, e.g. by a certificate of a trusted CA.
     */
    @Transactional(readOnly = true)
    public Optional<LoginAccount> findLocalLoginAccount(String username) {
        if (username == null || !UserRules.USERNAME.matcher(username).matches()) {
            return Optional.empty();
        }
        return users.findByUsernameIgnoreCase(username).filter(user -> LOCAL.equals(user.source)).map(views::loginAccount);
    }

    /** One page of every account, by id: for jobs that visit every home (retention rules). */
    @Transactional(readOnly = true)
    public List<LoginAccount> loginAccounts(int page, int size) {
        return views.loginAccounts(users.findAll(PageRequest.of(page, size, Sort.by("id"))).getContent());
    }

    /**
     * The accounts of these users by id (deleted users are missing), in a few statements however
     * many there are: the session heartbeat refreshes every connected user's account with it.
     */
    @Transactional(readOnly = true)
    public Map<Long, LoginAccount> findLoginAccounts(Collection<Long> ids) {
        Map<Long, LoginAccount> accounts = new HashMap<>();
        for (LoginAccount account : views.loginAccounts(users.findAllById(ids))) {
            accounts.put(account.id(), account);
        }
        return accounts;
    }

    /**
     * Whether an account of this name exists, enabled or not: one index lookup whether or not it
     * does (the brute-force defence weighs failed logins for unknown names more).
     */
    @Transactional(readOnly = true)
    public boolean exists(String username) {
        return username != null && UserRules.USERNAME.matcher(username).matches() && users.existsByUsernameIgnoreCase(username);
    }

    /** The account if {@code keyBlob} (SSH wire format) is one of the user's keys. */
    @Transactional(readOnly = true)
    public Optional<LoginAccount> findByKey(String username, byte[] keyBlob) {
        return findKeyLogin(username, keyBlob).map(KeyLogin::account);
    }

    /** The account and the stored key if {@code keyBlob} (SSH wire format) is one of the user's keys, expired or not. */
    @Transactional(readOnly = true)
    public Optional<KeyLogin> findKeyLogin(String username, byte[] keyBlob) {
        if (username == null || !UserRules.USERNAME.matcher(username).matches()) {
            return Optional.empty();
        }
        String fingerprint = SshPublicKey.fingerprintOf(keyBlob);
        return users.findByUsernameIgnoreCase(username)
                .filter(user -> LOCAL.equals(user.source))
                .flatMap(user -> keys.findByUserIdAndFingerprint(user.id(), fingerprint)
                        .filter(key -> Arrays.equals(Base64.getDecoder().decode(key.keyData), keyBlob))
                        .map(key -> new KeyLogin(views.loginAccount(user), key.id(), key.expiresAt)));
    }

    /** Records a login with a stored key; written to the database in batches (see KeyUsage). */
    public void keyUsed(long keyId, Instant at) {
        keyUsage.used(keyId, at);
    }

    /** The account if the password is right; costs the same time whether or not the user exists. */
    @Transactional(readOnly = true)
    public Optional<LoginAccount> findByPassword(String username, String password) {
        Optional<User> user = username == null || !UserRules.USERNAME.matcher(username).matches()
                ? Optional.empty()
                : users.findByUsernameIgnoreCase(username);
        if (user.isEmpty() || user.get().passwordHash == null || !LOCAL.equals(user.get().source)) {
            passwords.burn(password);
            return Optional.empty();
        }
        if (!passwords.matches(password, user.get().passwordHash)) {
            return Optional.empty();
        }
        return user.map(views::loginAccount);
    }

    // ---- internals ----------------------------------------------------------------------

    /** Validates the spec and sets it on the row (shared with {@link ExternalUsers}). */
    void apply(User user, UserSpec spec) {
        apply(user, spec, null);
    }

    /** As {@link #apply(User, UserSpec)}, with the storage to use when the spec names none (a group's default). */
    private void apply(User user, UserSpec spec, UserSpec.Storage defaultStorage) {
        user.enabled = spec.enabled() == null || spec.enabled();
        user.expiresAt = spec.expiresAt() == null ? null : spec.expiresAt().toInstant();
        UserSpec.Storage s = spec.storage() != null ? spec.storage()
                : defaultStorage != null ? defaultStorage : new UserSpec.Storage(null, null, null);
        String type = s.type() == null ? StorageType.LOCAL.typeName() : s.type();
        if (StorageType.named(type).isEmpty()) {
            throw new InvalidInputException("storage.type", "storage type '" + UserRules.printable(type) + "' is unknown: use "
                    + StorageType.namesForMessages());
        }
        if (storage.find(type).isEmpty()) {
            throw new InvalidInputException("storage.type", "storage type '" + type + "' is not available on this server "
                    + "(available: " + String.join(", ", storage.types()) + ")");
        }
        try {
            storage.get(type).check(new HomeLocation(type, user.username, s.bucket(), s.prefix()));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("storage", e.getMessage());
        }
        user.storageType = type;
        user.s3Bucket = s.bucket();
        user.s3Prefix = s.prefix();
        UserSpec.Quota quota = spec.quota() == null ? new UserSpec.Quota(0L, 0L) : spec.quota();
        user.quotaMaxBytes = UserRules.nonNegative("quota.maxBytes", quota.maxBytes());
        user.quotaMaxFiles = UserRules.nonNegative("quota.maxFiles", quota.maxFiles());
        user.maxSessions = (int) Math.min(Integer.MAX_VALUE,
                UserRules.nonNegative("maxSessions", spec.maxSessions() == null ? null : spec.maxSessions().longValue()));
        user.maxFileSize = UserRules.nonNegative("maxFileSize", spec.maxFileSize());
        UserSpec.Bandwidth bandwidth = spec.bandwidth() == null ? new UserSpec.Bandwidth(0L, 0L) : spec.bandwidth();
        user.uploadBytesPerSecond = UserRules.nonNegative("bandwidth.uploadBytesPerSecond", bandwidth.uploadBytesPerSecond());
        user.downloadBytesPerSecond = UserRules.nonNegative("bandwidth.downloadBytesPerSecond", bandwidth.downloadBytesPerSecond());
        user.permissions.clear();
        // A member of groups without permissions of its own takes the groups' (EffectiveSettings);
        // anyone else gets the default, everything everywhere, stored as such.
        user.permissions.putAll(user.groupIds.isEmpty() ? UserRules.permissions(spec.permissions())
                : AccessSettings.permissions(spec.permissions()));
        user.allowedIps.clear();
        user.allowedIps.addAll(UserRules.allowedIps(spec.allowedIps()));
        user.updatedAt = now();
    }

    private User find(String username) {
        return find(users, username);
    }

    /** The user of this name (any case), or 404. */
    static User find(UserRepository users, String username) {
        if (username == null || username.length() > 64) {
            throw new NotFoundException("no user named '" + UserRules.printable(String.valueOf(username)) + "'");
        }
        return users.findByUsernameIgnoreCase(username)
                .orElseThrow(() -> new NotFoundException("no user named '" + UserRules.printable(username) + "'"));
    }

    private ConflictException duplicate(String username) {
        return new ConflictException("username", "a user named '" + username + "' already exists (names are unique regardless of case)");
    }

    /** The login account of a stored user, their groups' settings applied (shared with {@link ExternalUsers}). */
    LoginAccount account(User user) {
        return views.loginAccount(user);
    }

    StorageBackend backend(User user) {
        return storage.get(user.storageType);
    }

    private Instant now() {
        return clock.instant();
    }
}
