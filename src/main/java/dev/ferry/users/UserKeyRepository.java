package dev.ferry.users;

import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;

interface UserKeyRepository extends JpaRepository<UserKey, Long> {

    List<UserKey> findByUserIdOrderById(Long userId);

    Optional<UserKey> findByUserIdAndFingerprint(Long userId, String fingerprint);

    Optional<UserKey> findByIdAndUserId(Long id, Long userId);

    void deleteByUserId(Long userId);
}
