package dev.ferry.groups;

import dev.ferry.access.AccessSettings;
import dev.ferry.shared.AccountNames;
import dev.ferry.shared.ConflictException;
import dev.ferry.shared.InvalidInputException;
import dev.ferry.shared.NotFoundException;
import dev.ferry.storage.HomeLocation;
import dev.ferry.storage.StorageBackends;
import dev.ferry.storage.StorageType;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Provisioning of groups, and the lookups {@code users} needs: a user's group names to ids
 * (refusing unknown ones) and the settings of a user's groups.
 * <p>
 * A group with members cannot be deleted (as in SFTPGo): the refusal names the members, so the
 * admin removes the group from them first and no member silently loses settings.
 */
@Service
public class GroupService {

    private static final Logger log = LoggerFactory.getLogger(GroupService.class);
    private static final int MEMBERS_NAMED = 5;

    private final GroupRepository groups;
    private final JdbcTemplate jdbc;
    private final StorageBackends storage;
    private final Clock clock;

    GroupService(GroupRepository groups, JdbcTemplate jdbc, StorageBackends storage, Optional<Clock> clock) {
        this.groups = groups;
        this.storage = storage;
        this.jdbc = jdbc;
        this.clock = clock.orElse(Clock.systemUTC());
    }

    @Transactional
    public GroupView create(GroupSpec spec) {
        String name = name(spec.name());
        if (groups.findByNameIgnoreCase(name).isPresent()) {
            throw duplicate(name);
        }
        Group group = new Group();
        group.name = name;
        group.createdAt = clock.instant();
        apply(group, spec);
        try {
            groups.saveAndFlush(group);
        } catch (DataIntegrityViolationException e) {
            throw duplicate(name);
        }
        log.info("Created group {}", name);
        return view(group);
    }

    /** Replaces a group's settings; its members follow at their next login or session refresh. */
    @Transactional
    public GroupView replace(String name, GroupSpec spec) {
        Group group = find(name);
        if (spec.name() != null && !spec.name().equals(group.name)) {
            throw new InvalidInputException("name", "the name of a group cannot be changed: leave it out or give '" + group.name + "'");
        }
        apply(group, spec);
        groups.saveAndFlush(group);
        log.info("Replaced group {}", group.name);
        return view(group);
    }

    /** Deletes a group without members; a group with members is refused, naming some of them. */
    @Transactional
    public void delete(String name) {
        Group group = find(name);
        List<String> members = jdbc.queryForList("select u.username from user_groups m join users u on u.id = m.user_id "
                + "where m.group_id = ? order by lower(u.username) limit ?", String.class, group.id(), MEMBERS_NAMED + 1);
        if (!members.isEmpty()) {
            long count = memberCount(group.id());
            String named = String.join(", ", members.subList(0, Math.min(MEMBERS_NAMED, members.size())))
                    + (count > MEMBERS_NAMED ? " and " + (count - MEMBERS_NAMED) + " more" : "");
            throw new ConflictException("name", "group '" + group.name + "' still has " + count + (count == 1 ? " member" : " members")
                    + " (" + named + "): remove it from their groups first");
        }
        try {
            groups.delete(group);
            groups.flush();
        } catch (DataIntegrityViolationException e) {
            // a user was given the group meanwhile: user_groups' foreign key has no cascade
            throw new ConflictException("name", "group '" + group.name + "' was just given to a user: remove it from their groups first");
        }
        log.info("Deleted group {}", group.name);
    }

    @Transactional(readOnly = true)
    public GroupView get(String name) {
        return view(find(name));
    }

    /** Every group, by name regardless of case. */
    @Transactional(readOnly = true)
    public List<GroupView> list() {
        Map<Long, Long> counts = new HashMap<>();
        jdbc.query("select group_id, count(*) from user_groups group by group_id",
                rs -> {
                    counts.put(rs.getLong(1), rs.getLong(2));
                });
        return groups.findAllByName().stream().map(g -> view(g, counts.getOrDefault(g.id(), 0L))).toList();
    }

    /**
     * The ids of the named groups in the given order, for a user's {@code groups}; an unknown or
     * repeated name is refused naming it.
     */
    @Transactional(readOnly = true)
    public List<Long> idsOf(List<String> names) {
        if (names == null || names.isEmpty()) {
            return List.of();
        }
        Set<String> lower = new HashSet<>();
        for (String name : names) {
            if (name == null || !AccountNames.isValid(name)) {
                throw new InvalidInputException("groups", "no group named '" + AccountNames.printable(String.valueOf(name)) + "'");
            }
            if (!lower.add(name.toLowerCase(Locale.ROOT))) {
                throw new InvalidInputException("groups", "the group '" + AccountNames.printable(name) + "' is listed twice");
            }
        }
        Map<String, Long> found = new HashMap<>();
        groups.findByLowerNames(lower).forEach(g -> found.put(g.name.toLowerCase(Locale.ROOT), g.id()));
        List<Long> ids = new ArrayList<>();
        for (String name : names) {
            Long id = found.get(name.toLowerCase(Locale.ROOT));
            if (id == null) {
                throw new InvalidInputException("groups", "no group named '" + AccountNames.printable(name)
                        + "': create it first (POST /api/v1/groups)");
            }
            ids.add(id);
        }
        return ids;
    }

    /** The settings of these groups by id, in one lookup however many (deleted ones are missing). */
    @Transactional(readOnly = true)
    public Map<Long, GroupSettings> settings(Collection<Long> ids) {
        Map<Long, GroupSettings> result = new HashMap<>();
        if (ids.isEmpty()) {
            return result;
        }
        for (Group group : groups.findAllById(ids)) {
            result.put(group.id(), new GroupSettings(group.name, new Settings(AccessSettings.permissionLists(group.permissions),
                    group.quotaMaxBytes, group.quotaMaxFiles, group.allowedIps, group.maxSessions,
                    group.uploadBytesPerSecond, group.downloadBytesPerSecond)));
        }
        return result;
    }

    private void apply(Group group, GroupSpec spec) {
        storage(group, spec.storage());
        if (spec.virtualFolders() != null && !spec.virtualFolders().isEmpty()) {
            throw new InvalidInputException("virtualFolders", "virtual folders are not supported yet: leave virtualFolders out or empty");
        }
        GroupSpec.Quota quota = spec.quota() == null ? new GroupSpec.Quota(0L, 0L) : spec.quota();
        group.quotaMaxBytes = nonNegative("quota.maxBytes", quota.maxBytes());
        group.quotaMaxFiles = nonNegative("quota.maxFiles", quota.maxFiles());
        group.maxSessions = (int) Math.min(Integer.MAX_VALUE,
                nonNegative("maxSessions", spec.maxSessions() == null ? null : spec.maxSessions().longValue()));
        GroupSpec.Bandwidth bandwidth = spec.bandwidth() == null ? new GroupSpec.Bandwidth(0L, 0L) : spec.bandwidth();
        group.uploadBytesPerSecond = nonNegative("bandwidth.uploadBytesPerSecond", bandwidth.uploadBytesPerSecond());
        group.downloadBytesPerSecond = nonNegative("bandwidth.downloadBytesPerSecond", bandwidth.downloadBytesPerSecond());
        group.permissions.clear();
        group.permissions.putAll(AccessSettings.permissions(spec.permissions()));
        group.allowedIps.clear();
        group.allowedIps.addAll(AccessSettings.allowedIps(spec.allowedIps()));
        group.updatedAt = clock.instant();
    }

    /**
     * The storage default of a member created (or replaced) without storage of its own: that of
     * the first of its groups that has one, the prefix expanded for the member; empty if none has.
     */
    @Transactional(readOnly = true)
    public Optional<GroupSpec.Storage> storageFor(List<Long> groupIds, String username) {
        Map<Long, Group> byId = new HashMap<>();
        groups.findAllById(groupIds).forEach(g -> byId.put(g.id(), g));
        for (Long id : groupIds) {
            Group group = byId.get(id);
            if (group != null && group.storageType != null) {
                try {
                    return Optional.of(new GroupSpec.Storage(group.storageType, group.s3Bucket,
                            PrefixTemplate.expand(group.s3Prefix, username)));
                } catch (IllegalArgumentException e) {
                    throw new InvalidInputException("storage", "the storage of group '" + group.name + "' cannot be used for '"
                            + AccountNames.printable(username) + "': " + e.getMessage());
                }
            }
        }
        return Optional.empty();
    }

    private void storage(Group group, GroupSpec.Storage spec) {
        if (spec == null) {
            group.storageType = null;
            group.s3Bucket = null;
            group.s3Prefix = null;
            return;
        }
        String type = spec.type() == null ? StorageType.LOCAL.typeName() : spec.type();
        if (StorageType.named(type).isEmpty()) {
            throw new InvalidInputException("storage.type", "storage type '" + AccountNames.printable(type) + "' is unknown: use "
                    + StorageType.namesForMessages());
        }
        if (storage.find(type).isEmpty()) {
            throw new InvalidInputException("storage.type", "storage type '" + type + "' is not available on this server "
                    + "(available: " + String.join(", ", storage.types()) + ")");
        }
        String template = PrefixTemplate.check(spec.prefix());
        try {
            // what a member named "example" would get must be a valid home
            storage.get(type).check(new HomeLocation(type, "example", spec.bucket(), PrefixTemplate.expand(template, "example")));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("storage", e.getMessage());
        }
        group.storageType = type;
        group.s3Bucket = spec.bucket();
        group.s3Prefix = template;
    }

    static String name(String name) {
        if (name == null || name.isBlank()) {
            throw new InvalidInputException("name", "name is required");
        }
        if (!AccountNames.isValid(name)) {
            throw new InvalidInputException("name", "group name '" + AccountNames.printable(name) + "' is not allowed: use 2 to 64 "
                    + "characters from A-Z a-z 0-9 . _ -, starting with a letter or digit, without '..'");
        }
        return name;
    }

    private static long nonNegative(String field, Long value) {
        if (value == null) {
            return 0;
        }
        if (value < 0) {
            throw new InvalidInputException(field, field + " must be 0 (not set by the group) or more, not " + value);
        }
        return value;
    }

    private Group find(String name) {
        if (name == null || name.length() > 64) {
            throw new NotFoundException("no group named '" + AccountNames.printable(String.valueOf(name)) + "'");
        }
        return groups.findByNameIgnoreCase(name)
                .orElseThrow(() -> new NotFoundException("no group named '" + AccountNames.printable(name) + "'"));
    }

    private long memberCount(long groupId) {
        Long count = jdbc.queryForObject("select count(*) from user_groups where group_id = ?", Long.class, groupId);
        return count == null ? 0 : count;
    }

    private GroupView view(Group group) {
        return view(group, group.id() == null ? 0 : memberCount(group.id()));
    }

    private static GroupView view(Group group, long members) {
        return new GroupView(group.name, AccessSettings.permissionLists(group.permissions),
                new GroupSpec.Quota(group.quotaMaxBytes, group.quotaMaxFiles), List.copyOf(group.allowedIps), group.maxSessions,
                new GroupSpec.Bandwidth(group.uploadBytesPerSecond, group.downloadBytesPerSecond),
                group.storageType == null ? null : new GroupSpec.Storage(group.storageType, group.s3Bucket, group.s3Prefix),
                List.of(), members,
                time(group.createdAt), time(group.updatedAt));
    }

    private static OffsetDateTime time(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private ConflictException duplicate(String name) {
        return new ConflictException("name", "a group named '" + name + "' already exists (names are unique regardless of case)");
    }
}
