package dev.ferry.admins;

import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

interface AdminRepository extends JpaRepository<Admin, Long> {

    @Query("select a from Admin a where lower(a.username) = lower(:username)")
    Optional<Admin> findByUsernameIgnoreCase(String username);
}
