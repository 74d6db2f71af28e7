package dev.ferry.users;

import dev.ferry.shared.GeneratedId;
import dev.ferry.storage.HomeLocation;
import dev.ferry.storage.StorageType;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.MapKeyColumn;
import jakarta.persistence.OrderColumn;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Entity
@Table(name = "users")
class User extends GeneratedId {

    @Column(nullable = false, length = 64)
    String username;

    @Column(name = "password_hash")
    String passwordHash;

    /** {@link UserService#LOCAL}, or the identity source that provisioned the row at a login. */
    @Column(nullable = false, length = 16)
    String source = UserService.LOCAL;

    boolean enabled = true;

    @Column(name = "expires_at")
    Instant expiresAt;

    @Column(name = "storage_type", nullable = false)
    String storageType = StorageType.LOCAL.typeName();

    @Column(name = "s3_bucket")
    String s3Bucket;

    @Column(name = "s3_prefix")
    String s3Prefix;

    @Column(name = "quota_max_bytes")
    long quotaMaxBytes;

    @Column(name = "quota_max_files")
    long quotaMaxFiles;

    @Column(name = "max_sessions")
    int maxSessions;

    @Column(name = "max_file_size")
    long maxFileSize;

    @Column(name = "upload_bytes_per_second")
    long uploadBytesPerSecond;

    @Column(name = "download_bytes_per_second")
    long downloadBytesPerSecond;

    @Column(name = "created_at", nullable = false)
    Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    Instant updatedAt;

    /** Virtual path -> comma-separated permissions. */
    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "user_permissions", joinColumns = @JoinColumn(name = "user_id"))
    @MapKeyColumn(name = "path")
    @Column(name = "permissions")
    Map<String, String> permissions = new LinkedHashMap<>();

    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "user_allowed_ips", joinColumns = @JoinColumn(name = "user_id"))
    @OrderColumn(name = "position")
    @Column(name = "cidr")
    List<String> allowedIps = new ArrayList<>();

    /** The user's groups (ids), in the admin's order: the first group that sets a value wins. */
    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "user_groups", joinColumns = @JoinColumn(name = "user_id"))
    @OrderColumn(name = "position")
    @Column(name = "group_id")
    List<Long> groupIds = new ArrayList<>();

    /** Where the user's home lives. */
    HomeLocation home() {
        return new HomeLocation(storageType, username, s3Bucket, s3Prefix);
    }
}
