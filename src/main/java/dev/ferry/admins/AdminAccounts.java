package dev.ferry.admins;

import dev.ferry.shared.PasswordHasher;
import java.util.Optional;
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
            return false; // spares the slow hash
        }
        // A plain insert that loses the race fails on the unique index and leaves the transaction
        // rollback-only, failing the start of the second replica; this one just inserts nothing.
        return admins.insertIfAbsent(username, passwords.hash(password), role.name()) == 1;
    }
}
