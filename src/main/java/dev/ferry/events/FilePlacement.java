package dev.ferry.events;

import dev.ferry.audit.AuditEvent;
import dev.ferry.audit.AuditLog;
import dev.ferry.audit.AuditPage;
import dev.ferry.audit.AuditQuery;
import dev.ferry.audit.AuditRecord;
import dev.ferry.audit.AuditSearch;
import dev.ferry.audit.AuditStatus;
import dev.ferry.audit.AuditType;
import dev.ferry.quotas.NameLocks;
import dev.ferry.quotas.QuotaExceededException;
import dev.ferry.quotas.QuotaLedger;
import dev.ferry.storage.StorageBackends;
import dev.ferry.storage.UserHome;
import dev.ferry.users.LoginAccount;
import dev.ferry.users.UserService;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import javax.sql.DataSource;

/**
 * Carries out a move or copy action through the users' homes as their SFTP sessions see them
 * (opened on each user's storage backend, "/" being the home, paths confined at both ends), so
 * local and S3 homes, and every mix of them, behave alike:
 * <ul>
 * <li>a move within one home is a rename ({@code Files.move}: rename(2) on disk, server-side copy
 * then delete on S3);</li>
 * <li>a copy, or a move to another home, is {@link UserHome#copyFrom}: staged then published as an
 * upload is (server-side on S3 within a bucket), then for a move the source is removed. The
 * target appears whole or not at all.</li>
 * </ul>
 * Quotas: the receiving user is charged through the quota ledger before the target is published
 * (refused: the attempt fails with the ledger's reason, and is retried like any delivery); a
 * move's source user is credited when the source is removed; a replaced target credits what it held.
 * <p>
 * Retries: the outbox delivers at least once, so an attempt may follow one that did part of the
 * work. A source that is gone while the target holds the event's file (its size, and its SHA-256
 * where the event has one) is a delivery; a target that already holds the source's bytes is not
 * copied again, so a move interrupted between copy and removal removes the source and nothing more.
 * <p>
 * Audit, by the system ({@code sessionId} {@code event:<id of the triggering audit record>}, detail naming the rule):
 * RENAME for a move within a home; UPLOAD of the target under the receiving user for a copy and
 * a move to another home, and DELETE of the source under its user for the latter. Each is written
 * once per event and target: an attempt, or a replay of a delivered delivery, writes those an earlier one did not get to, and no more.
 * <p>
 * On this instance the placement holds the {@link NameLocks} of the target (and a move's source),
 * as an SFTP session publishing, removing or renaming there does: the usage charged for the target
 * is what the name held when the action published, and a client writing the same name at the same
 * moment comes before or after it, with either whole file winning. Holding them for a whole copy
 * makes SFTP changes of names sharing its lock stripe wait for that copy.
 */
@Component
class FilePlacement {

    private static final Logger log = LoggerFactory.getLogger(FilePlacement.class);

    /** One action to carry out. {@code bytes} and {@code sha256} are the event's, null where it has none. */
    record Request(boolean move, long eventId, String rule, String sourceUser, String sourcePath, String targetUser,
            String targetPath, Long bytes, String sha256) {
    }

    private final UserService users;
    private final StorageBackends storage;
    private final QuotaLedger ledger;
    private final AuditLog audit;
    private final AuditSearch search;
    private final DataSource dataSource;
    private final NameLocks nameLocks;

    FilePlacement(UserService users, StorageBackends storage, QuotaLedger ledger, AuditLog audit, AuditSearch search,
            DataSource dataSource, NameLocks nameLocks) {
        this.nameLocks = nameLocks;
        this.users = users;
        this.storage = storage;
        this.ledger = ledger;
        this.audit = audit;
        this.search = search;
        this.dataSource = dataSource;
    }

    DeliveryOutcome place(Request request) {
        Optional<LoginAccount> source = users.findLoginAccount(request.sourceUser());
        if (source.isEmpty()) {
            return DeliveryOutcome.failed(null, "user '" + request.sourceUser() + "' no longer exists");
        }
        Optional<LoginAccount> target = users.findLoginAccount(request.targetUser());
        if (target.isEmpty()) {
            return DeliveryOutcome.failed(null, "target user '" + request.targetUser() + "' no longer exists");
        }
        boolean sameHome = source.get().id() == target.get().id();
        if (sameHome && request.sourcePath().equals(request.targetPath())) {
            return DeliveryOutcome.delivered(null);
        }
        try (Connection lock = dataSource.getConnection()) {
            String name = request.targetUser() + ":" + request.targetPath();
            if (!locked(lock, name)) {
                return DeliveryOutcome.failed(null, "another attempt is placing " + name + " (its lease ran out while it worked, or "
                        + "another event's action has the same target); tried again later");
            }
            try {
                return place(request, source.get(), target.get(), sameHome);
            } finally {
                unlock(lock, name);
            }
        } catch (SQLException e) {
            return DeliveryOutcome.failed(null, "could not take the target's lock: " + e.getMessage());
        }
    }

    /**
     * A PostgreSQL session lock on the target name, across replicas: an attempt whose lease ran out
     * while it copies a big file must not be joined by a second one charging the quota again. Held
     * on a connection of its own, released with it if this instance dies.
     */
    private static boolean locked(Connection connection, String name) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("select pg_try_advisory_lock(hashtext('ferry-file-action'), hashtext(?))")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private static void unlock(Connection connection, String name) {
        try (PreparedStatement ps = connection.prepareStatement("select pg_advisory_unlock(hashtext('ferry-file-action'), hashtext(?))")) {
            ps.setString(1, name);
            ps.execute();
        } catch (SQLException e) {
            log.warn("Could not release the lock on {}: {} (it goes with the connection)", name, e.toString());
            try {
                connection.abort(Runnable::run);
            } catch (SQLException ignored) {
                // the pool replaces it
            }
        }
    }

    private DeliveryOutcome place(Request request, LoginAccount source, LoginAccount target, boolean sameHome) {
        try (NameLocks.Held names = request.move()
                        ? nameLocks.hold(source.username(), request.sourcePath(), target.username(), request.targetPath())
                        : nameLocks.hold(target.username(), request.targetPath());
                UserHome sourceHome = open(source);
                UserHome targetHome = sameHome ? null : open(target)) {
            return place(request, source, sourceHome, target, sameHome ? sourceHome : targetHome);
        } catch (QuotaExceededException e) {
            return DeliveryOutcome.failed(null, "user '" + request.targetUser() + "': " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            log.warn("Event rule '{}': could not {} {}:{} to {}:{}", request.rule(), request.move() ? "move" : "copy",
                    request.sourceUser(), request.sourcePath(), request.targetUser(), request.targetPath(), e);
            return DeliveryOutcome.failed(null, describe(e));
        }
    }

    private UserHome open(LoginAccount account) throws IOException {
        return storage.get(account.home().type()).open(account.home());
    }

    private DeliveryOutcome place(Request request, LoginAccount sourceAccount, UserHome sourceHome, LoginAccount targetAccount,
            UserHome targetHome) throws IOException {
        Path from = sourceHome.fileSystem().getPath(request.sourcePath());
        Path to = targetHome.fileSystem().getPath(request.targetPath());
        sourceHome.checkConfined(from, false);
        targetHome.checkConfined(to, false);
        boolean sameHome = sourceHome == targetHome;
        long size = sourceHome.storedFileSize(from);
        if (size < 0) {
            if (!holds(targetHome, to, request.bytes(), request.sha256())) {
                return DeliveryOutcome.failed(null, request.sourceUser() + ":" + request.sourcePath() + " is not a stored file (any "
                        + "more): removed or renamed since the event, and " + request.targetUser() + ":" + request.targetPath()
                        + " does not hold it");
            }
            // An earlier attempt did the work (a retry, a replay): its records, where it could not write them.
            if (request.move() && sameHome) {
                renamed(request, sourceAccount, request.bytes());
            } else {
                uploaded(request, targetAccount, request.bytes());
                if (request.move()) {
                    deleted(request, sourceAccount, request.bytes());
                }
            }
            return DeliveryOutcome.delivered(null);
        }
        Path parent = to.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            Files.createDirectories(parent);
        }
        if (request.move() && sameHome) {
            long replaced = targetHome.storedFileSize(to);
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
            if (replaced >= 0) {
                ledger.record(targetAccount.id(), -replaced, -1);
            }
            renamed(request, sourceAccount, size);
            return DeliveryOutcome.delivered(null);
        }
        long replaced = targetHome.storedFileSize(to);
        if (replaced != size || !sameContent(sourceHome, from, targetHome, to)) {
            copy(sourceHome, from, targetAccount, targetHome, to, size, replaced);
        } // else copied by an earlier attempt that stopped before removing the source
        uploaded(request, targetAccount, size);
        if (request.move()) {
            long removed = sourceHome.storedFileSize(from);
            Files.delete(from);
            if (removed >= 0) {
                ledger.record(sourceAccount.id(), -removed, -1);
            }
            deleted(request, sourceAccount, removed);
        }
        return DeliveryOutcome.delivered(null);
    }

    /** Charges the receiving user, publishes the copy, and gives the charge back if publishing failed. */
    private void copy(UserHome sourceHome, Path from, LoginAccount account, UserHome targetHome, Path to, long size, long replaced)
            throws IOException {
        long delta = size - Math.max(0, replaced);
        long files = replaced < 0 ? 1 : 0;
        if (account.hasQuota()) {
            long reservation = ledger.reserve(account.id(), 0, 0);
            try {
                ledger.commit(reservation, account.id(), delta, files);
            } catch (RuntimeException e) {
                ledger.release(reservation);
                throw e;
            }
            try {
                targetHome.copyFrom(sourceHome, from, to);
            } catch (IOException | RuntimeException e) {
                ledger.record(account.id(), -delta, -files);
                throw e;
            }
        } else {
            targetHome.copyFrom(sourceHome, from, to);
            ledger.record(account.id(), delta, files);
        }
    }

    private void renamed(Request request, LoginAccount account, Long size) {
        recordOnce(AuditEvent.of(AuditType.RENAME).withUser(account.username(), null, session(request))
                .withPaths(request.sourcePath(), request.targetPath()).withTransfer(size, null, null)
                .withOutcome(AuditStatus.OK, "event rule '" + request.rule() + "': move"));
    }

    private void uploaded(Request request, LoginAccount account, Long size) {
        // The event's digest where the copy is of its size: the bytes it confirmed.
        String sha256 = request.bytes() != null && request.bytes().equals(size) ? request.sha256() : null;
        recordOnce(AuditEvent.of(AuditType.UPLOAD).withUser(account.username(), null, session(request))
                .withPaths(request.targetPath(), null).withTransfer(size, null, sha256)
                .withOutcome(AuditStatus.OK, "event rule '" + request.rule() + "': " + (request.move() ? "moved" : "copied") + " from "
                        + request.sourceUser() + ":" + request.sourcePath()));
    }

    private void deleted(Request request, LoginAccount account, Long size) {
        recordOnce(AuditEvent.of(AuditType.DELETE).withUser(account.username(), null, session(request))
                .withPaths(request.sourcePath(), null).withTransfer(size, null, null)
                .withOutcome(AuditStatus.OK, "event rule '" + request.rule() + "': moved to " + request.targetUser() + ":"
                        + request.targetPath()));
    }

    /**
     * Writes the record unless an attempt for the same event wrote it already (same type, user, path
     * and session id): a retry or a replay of a delivery that did its work records it once.
     */
    private void recordOnce(AuditEvent event) {
        AuditPage earlier = search.search(new AuditQuery(event.username(), event.type(), null, null, event.path(), 0, 100));
        for (AuditRecord record : earlier.content()) {
            if (event.sessionId().equals(record.event().sessionId()) && event.path().equals(record.event().path())) {
                return;
            }
        }
        audit.appendAndWait(event);
    }

    private static String session(Request request) {
        return FileAction.SESSION_PREFIX + request.eventId();
    }

    /** Whether the file at {@code path} has this size and, where given, this SHA-256. */
    private static boolean holds(UserHome home, Path path, Long bytes, String sha256) throws IOException {
        long size = home.storedFileSize(path);
        if (size < 0 || bytes == null || size != bytes) {
            return false;
        }
        return sha256 == null || sha256.equalsIgnoreCase(digest(home, path));
    }

    private static boolean sameContent(UserHome aHome, Path a, UserHome bHome, Path b) throws IOException {
        return digest(aHome, a).equals(digest(bHome, b));
    }

    private static String digest(UserHome home, Path path) throws IOException {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        ByteBuffer buffer = ByteBuffer.allocate(256 * 1024);
        try (SeekableByteChannel in = home.openForRead(path)) {
            while (in.read(buffer) >= 0) {
                buffer.flip();
                sha256.update(buffer);
                buffer.clear();
            }
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
