package dev.ferry.admins;

import dev.ferry.shared.AccountNames;
import dev.ferry.shared.ConflictException;
import dev.ferry.shared.InvalidInputException;
import dev.ferry.shared.NotFoundException;
import dev.ferry.shared.PasswordHasher;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Admin accounts of the admin API. There is always at least one account with the ADMIN role:
 * deleting or demoting the last one is refused, as is deleting one's own account.
 */
@Service
public class AdminAccounts {

    private static final Logger log = LoggerFactory.getLogger(AdminAccounts.class);

    private final AdminRepository admins;
    private final PasswordHasher passwords;
    private final Clock clock;
    private final boolean requireMfa;

    AdminAccounts(AdminRepository admins, PasswordHasher passwords, Optional<Clock> clock, AdminProperties properties) {
        this.admins = admins;
        this.passwords = passwords;
        this.clock = clock.orElse(Clock.systemUTC());
        this.requireMfa = properties.requireMfa();
    }

    @Transactional(readOnly = true)
    public Optional<AdminCredentials> find(String username) {
        if (username == null || username.length() > 64) {
            return Optional.empty();
        }
        return admins.findByUsernameIgnoreCase(username)
                .map(a -> new AdminCredentials(a.username, a.passwordHash, AdminRole.valueOf(a.role), a.mfaEnabled(),
                        requireMfa || a.mfaRequired));
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

    // ---- managed through the API ---------------------------------------------------------

    @Transactional(readOnly = true)
    public List<AdminView> list() {
        return admins.findAllByName().stream().map(this::view).toList();
    }

    @Transactional(readOnly = true)
    public AdminView get(String username) {
        return view(require(username));
    }

    @Transactional
    public AdminView create(String username, String password, AdminRole role) {
        AccountNames.require(username);
        AdminRules.password(password);
        AdminRules.role(role);
        if (admins.findByUsernameIgnoreCase(username).isPresent()) {
            throw duplicate(username);
        }
        Admin admin = new Admin();
        admin.username = username;
        admin.passwordHash = passwords.hash(password);
        admin.role = role.name();
        admin.createdAt = now();
        admin.updatedAt = admin.createdAt;
        try {
            admins.saveAndFlush(admin);
        } catch (DataIntegrityViolationException e) {
            throw duplicate(username);
        }
        log.info("Created admin {} with role {}", username, role);
        return view(admin);
    }

    /**
     * Replaces the role and, unless {@code newPassword} is null, the password. The username cannot
     * change; {@code bodyUsername} is what the request body names (null: not given).
     */
    @Transactional
    public AdminView replace(String username, String bodyUsername, String newPassword, AdminRole role) {
        AdminRules.role(role);
        if (newPassword != null) {
            AdminRules.password(newPassword);
        }
        Admin admin = require(username);
        if (bodyUsername != null && !bodyUsername.equals(admin.username)) {
            throw new InvalidInputException("username", "the username of an admin cannot be changed: leave it out or give '"
                    + admin.username + "'");
        }
        if (AdminRole.valueOf(admin.role) == AdminRole.ADMIN && role != AdminRole.ADMIN) {
            requireAnotherAdmin(admin, "cannot make '" + admin.username + "' an " + role
                    + ": it is the last account with the ADMIN role. Create or promote another ADMIN first.");
        }
        admin.role = role.name();
        if (newPassword != null) {
            admin.passwordHash = passwords.hash(newPassword);
        }
        admin.updatedAt = now();
        admins.saveAndFlush(admin);
        log.info("Replaced admin {} (role {})", admin.username, role);
        return view(admin);
    }

    /** Deletes an admin account; {@code actor} is who asks (an admin's username, or a token's name). */
    @Transactional
    public AdminView delete(String username, String actor) {
        Admin admin = require(username);
        if (admin.username.equalsIgnoreCase(actor)) {
            throw new ConflictException("username", "you cannot delete your own account '" + admin.username
                    + "': sign in as another ADMIN to delete it");
        }
        if (AdminRole.valueOf(admin.role) == AdminRole.ADMIN) {
            requireAnotherAdmin(admin, "cannot delete '" + admin.username
                    + "': it is the last account with the ADMIN role. Create or promote another ADMIN first.");
        }
        admins.delete(admin);
        admins.flush();
        log.info("Deleted admin {}", admin.username);
        return view(admin);
    }

    private void requireAnotherAdmin(Admin admin, String message) {
        boolean another = admins.lockAdmins().stream().anyMatch(a -> !a.id().equals(admin.id()));
        if (!another) {
            throw new ConflictException("role", message);
        }
    }

    private Admin require(String username) {
        if (username == null || username.length() > 64) {
            throw notFound(String.valueOf(username));
        }
        return admins.findByUsernameIgnoreCase(username).orElseThrow(() -> notFound(username));
    }

    private static NotFoundException notFound(String username) {
        return new NotFoundException("no admin named '" + AccountNames.printable(username) + "': GET /api/v1/admins lists them");
    }

    private static ConflictException duplicate(String username) {
        return new ConflictException("username", "an admin named '" + username
                + "' already exists (names are unique regardless of case): choose another name or PUT to change it");
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private AdminView view(Admin a) {
        return new AdminView(a.username, AdminRole.valueOf(a.role), a.createdAt.atOffset(ZoneOffset.UTC),
                a.updatedAt == null ? null : a.updatedAt.atOffset(ZoneOffset.UTC), a.mfaEnabled(), requireMfa || a.mfaRequired);
    }

}
