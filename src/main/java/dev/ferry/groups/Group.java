package dev.ferry.groups;

import dev.ferry.shared.GeneratedId;
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

/** A group's row: 0 and empty mean the group does not set that value. */
@Entity
@Table(name = "groups")
class Group extends GeneratedId {

    @Column(nullable = false, length = 64)
    String name;

    @Column(name = "quota_max_bytes")
    long quotaMaxBytes;

    @Column(name = "quota_max_files")
    long quotaMaxFiles;

    @Column(name = "max_sessions")
    int maxSessions;

    @Column(name = "upload_bytes_per_second")
    long uploadBytesPerSecond;

    @Column(name = "download_bytes_per_second")
    long downloadBytesPerSecond;

    /** Null: the group gives its members no storage default. */
    @Column(name = "storage_type")
    String storageType;

    @Column(name = "s3_bucket")
    String s3Bucket;

    /** A {@link PrefixTemplate}. */
    @Column(name = "s3_prefix")
    String s3Prefix;

    @Column(name = "created_at", nullable = false)
    Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    Instant updatedAt;

    /** Virtual path -> comma-separated permissions. */
    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "group_permissions", joinColumns = @JoinColumn(name = "group_id"))
    @MapKeyColumn(name = "path")
    @Column(name = "permissions")
    Map<String, String> permissions = new LinkedHashMap<>();

    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "group_allowed_ips", joinColumns = @JoinColumn(name = "group_id"))
    @OrderColumn(name = "position")
    @Column(name = "cidr")
    List<String> allowedIps = new ArrayList<>();
}
