package dev.ferry.admins;

import jakarta.persistence.LockModeType;
import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;

interface AdminRepository extends JpaRepository<Admin, Long> {

    @Query("select a from Admin a where lower(a.username) = lower(:username)")
    Optional<Admin> findByUsernameIgnoreCase(String username);

    @Query("select a from Admin a order by lower(a.username)")
    List<Admin> findAllByName();

    /**
     * The accounts with the ADMIN role, locked until the transaction ends: two requests that
     * each remove one of the last two ADMINs are serialised, so the second sees only one left.
     */
    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select a from Admin a where a.role = 'ADMIN'")
    List<Admin> lockAdmins();

    /** Inserts the admin unless the name is taken (case-insensitively); 1 if inserted, 0 if not. */
    @Modifying
    @Query(value = "insert into admins (username, password_hash, role) values (:username, :passwordHash, :role)"
            + " on conflict do nothing", nativeQuery = true)
    int insertIfAbsent(String username, String passwordHash, String role);

    // ---- MFA (AdminMfa) -----------------------------------------------------------------------

    /** Accepts a TOTP time step unless it, or a later one, was accepted before: 1 if accepted (no replay). */
    @Modifying
    @Query(value = "update admins set totp_last_step = :step where id = :id and totp_confirmed_at is not null"
            + " and (totp_last_step is null or totp_last_step < :step)", nativeQuery = true)
    int acceptTotpStep(long id, long step);

    @Modifying
    @Query(value = "insert into admin_recovery_codes (admin_id, code_hash) values (:adminId, :codeHash)", nativeQuery = true)
    int addRecoveryCode(long adminId, String codeHash);

    @Modifying
    @Query(value = "delete from admin_recovery_codes where admin_id = :adminId", nativeQuery = true)
    int deleteRecoveryCodes(long adminId);

    /** Uses a recovery code once: 1 if it was there and unused. */
    @Modifying
    @Query(value = "update admin_recovery_codes set used_at = now() where admin_id = :adminId and code_hash = :codeHash"
            + " and used_at is null", nativeQuery = true)
    int useRecoveryCode(long adminId, String codeHash);
}
