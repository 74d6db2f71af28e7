package dev.ferry.users;

import dev.ferry.shared.ConflictException;
import dev.ferry.shared.InvalidInputException;
import dev.ferry.shared.NotFoundException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * A user's SSH keys: listed, added one at a time (with label and expiry), removed, or replaced as a
 * whole by a user's POST or PUT ({@link UserService}). Logins look keys up through
 * {@link UserService#findKeyLogin}.
 */
@Service
public class UserKeys {

    private final UserRepository users;
    private final UserKeyRepository keys;
    private final Clock clock;

    UserKeys(UserRepository users, UserKeyRepository keys, Optional<Clock> clock) {
        this.users = users;
        this.keys = keys;
        this.clock = clock.orElse(Clock.systemUTC());
    }

    @Transactional(readOnly = true)
    public List<KeyView> keys(String username) {
        User user = UserService.find(users, username);
        return keys.findByUserIdOrderById(user.id()).stream().map(UserViews::keyView).toList();
    }

    @Transactional
    public KeyView addKey(String username, String publicKey) {
        return addKey(username, publicKey, null, null);
    }

    /**
     * Adds a key with an optional label (what people call it: "laptop") and expiry, after which it
     * can no longer log in.
     */
    @Transactional
    public KeyView addKey(String username, String publicKey, String label, Instant expiresAt) {
        User user = UserService.find(users, username);
        SshPublicKey parsed = SshPublicKey.parse("publicKey", publicKey);
        String checkedLabel = checkLabel(label);
        if (keys.findByUserIdAndFingerprint(user.id(), parsed.fingerprint()).isPresent()) {
            throw new ConflictException("publicKey", "this key (" + parsed.fingerprint() + ") is already registered for " + user.username);
        }
        UserKey key = newKey(user, parsed);
        key.label = checkedLabel;
        key.expiresAt = expiresAt;
        try {
            keys.saveAndFlush(key);
        } catch (DataIntegrityViolationException e) {
            throw new ConflictException("publicKey", "this key (" + parsed.fingerprint() + ") is already registered for " + user.username);
        }
        return UserViews.keyView(key);
    }

    @Transactional
    public void deleteKey(String username, long keyId) {
        User user = UserService.find(users, username);
        UserKey key = keys.findByIdAndUserId(keyId, user.id())
                .orElseThrow(() -> new NotFoundException("user " + user.username + " has no key with id " + keyId));
        keys.delete(key);
    }

    /** The keys of a POST or PUT, each checked (field {@code publicKeys[i]}), none twice. */
    List<SshPublicKey> parse(List<String> lines) {
        List<SshPublicKey> parsed = new ArrayList<>();
        if (lines == null) {
            return parsed;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            SshPublicKey key = SshPublicKey.parse("publicKeys[" + i + "]", lines.get(i));
            if (!seen.add(key.fingerprint())) {
                throw new InvalidInputException("publicKeys[" + i + "]", "the same key (" + key.fingerprint() + ") is listed twice");
            }
            parsed.add(key);
        }
        return parsed;
    }

    /** Replaces all of the user's keys with these, in the caller's transaction. */
    void replace(User user, List<SshPublicKey> parsed) {
        keys.deleteByUserId(user.id());
        keys.flush();
        for (SshPublicKey key : parsed) {
            keys.save(newKey(user, key));
        }
        keys.flush();
    }

    private static String checkLabel(String label) {
        if (label == null || label.isBlank()) {
            return null;
        }
        String stripped = label.strip();
        if (stripped.length() > 100) {
            throw new InvalidInputException("label", "the label is longer than 100 characters");
        }
        if (stripped.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new InvalidInputException("label", "the label contains control characters: use printable text");
        }
        return stripped;
    }

    private UserKey newKey(User user, SshPublicKey parsed) {
        UserKey key = new UserKey();
        key.userId = user.id();
        key.keyType = parsed.type();
        key.keyData = parsed.blob();
        key.comment = parsed.comment();
        key.fingerprint = parsed.fingerprint();
        key.createdAt = clock.instant();
        return key;
    }
}
