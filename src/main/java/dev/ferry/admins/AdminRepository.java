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
}
