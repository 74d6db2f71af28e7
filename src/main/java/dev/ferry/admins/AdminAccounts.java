package dev.ferry.admins;

import dev.ferry.shared.PasswordHasher;
import java.time.Instant;
import java.util.Optional;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Admin accounts of the admin API. */
@Service
public class AdminAccounts {

    private final AdminRepository admins;
    private final PasswordHasher passwords;

    AdminAccounts(AdminRepository admins, PasswordHasher passwords) {
        this.admins = admins;
        this.passwords = passwords;
    }

    @Transactional(readOnly = true)
    public Optional<AdminCredentials> find(String username) {
        if (username == null || username.length() > 64) {
            return Optional.empty();
        }
        return admins.findByUsernameIgnoreCase(username)
                .map(a -> new AdminCredentials(a.username, a.passwordHash, AdminRole.valueOf(a.role)));
    }

    @Transactional(readOnly = true)
    public boolean anyExists() {
        return admins.count() > 0;
    }

    /** Creates an admin unless one of that name exists (another replica may be doing the same). */
    @Transactional
    public boolean createIfAbsent(String username, String password, AdminRole role) {
        if (admins.findByUsernameIgnoreCase(username).isPresent()) {
            return false;
        }
        Admin admin = new Admin();
        admin.username = username;
        admin.passwordHash = passwords.hash(password);
        admin.role = role.name();
        admin.createdAt = Instant.now();
        try {
            admins.saveAndFlush(admin);
            return true;
        } catch (DataIntegrityViolationException e) {
            return false;
        }
    }
}
