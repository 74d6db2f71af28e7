package dev.ferry.retention;

import dev.ferry.audit.AuditEvent;
import dev.ferry.audit.AuditLog;
import dev.ferry.audit.AuditStatus;
import dev.ferry.audit.AuditType;
import dev.ferry.quotas.NameLocks;
import dev.ferry.quotas.QuotaLedger;
import dev.ferry.storage.StorageBackends;
import dev.ferry.storage.UserHome;
import dev.ferry.users.LoginAccount;
import dev.ferry.users.UserService;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Applies one retention rule to the homes it names, as the SFTP layer sees them: each home is opened
 * through its storage backend (local disk or S3), so nothing outside it can be named, and the walk
 * starts at the rule's {@link RetentionPath#base()} without following symbolic links. Only regular
 * files go; directories (and links) stay.
 * <p>
 * A file is deleted only if, looked at again just before, it is still the file the walk saw (the
 * same modification time, still older than the cut-off): one uploaded or touched meanwhile stays,
 * one removed meanwhile is skipped. The look and the deletion hold the name's {@link NameLocks}, as
 * SFTP sessions publishing an upload there do, so an upload published on this instance between the
 * two is never deleted as the old file. Each deletion frees the owner's quota usage as an SFTP delete
 * does ({@link QuotaLedger#record}) and is audited as a DELETE of the owner by the system (see
 * {@link #SYSTEM_SESSION}). A home that cannot be opened or walked is reported and the others go on.
 */
@Component
class RetentionSweep {

    /** The audit's session id of deletions by retention rules; their remote address is empty: no client did it. */
    static final String SYSTEM_SESSION = "system:retention";
    /** The audit's client version of deletions by retention rules. */
    static final String SYSTEM_CLIENT = "Ferry retention";
    private static final int USERS_PER_PAGE = 200;
    /** Failures a report names; the log and {@code ferry_retention_failures_total} have them all. */
    private static final int MAX_FAILURES_LISTED = 100;
    private static final Logger log = LoggerFactory.getLogger(RetentionSweep.class);

    private final UserService users;
    private final StorageBackends storage;
    private final QuotaLedger ledger;
    private final AuditLog audit;
    private final RetentionMetrics metrics;
    private final NameLocks nameLocks;
    private final Clock clock;

    RetentionSweep(UserService users, StorageBackends storage, QuotaLedger ledger, AuditLog audit, RetentionMetrics metrics,
            NameLocks nameLocks) {
        this.nameLocks = nameLocks;
        this.users = users;
        this.storage = storage;
        this.ledger = ledger;
        this.audit = audit;
        this.metrics = metrics;
        this.clock = Clock.systemUTC();
    }

    /** What the rule would delete now; changes nothing. */
    RetentionReport preview(RetentionRule rule, int limit) {
        return sweep(rule, limit, false);
    }

    /** Deletes what the rule names now; returns once the audit records of the deletions are written. */
    RetentionReport run(RetentionRule rule, int limit) {
        return sweep(rule, limit, true);
    }

    /** How a file fared when its turn came. */
    enum Outcome {
        DELETED, CHANGED, VANISHED
    }

    /**
     * Deletes one file a walk (or a dry run) saw, if it is still that file: the step a run takes for
     * each file it finds, open to tests that change the file in between.
     */
    Outcome deleteIfUnchanged(RetentionRule rule, RetentionFile seen) throws IOException {
        LoginAccount account = users.findLoginAccount(seen.username()).orElse(null);
        if (account == null) {
            return Outcome.VANISHED;
        }
        try (UserHome home = open(account)) {
            Path file = home.fileSystem().getPath(seen.path());
            return deleteIfUnchanged(rule, cutoff(rule), account, home, file, seen.modifiedAt().toInstant(), new ArrayList<>());
        }
    }

    private RetentionReport sweep(RetentionRule rule, int limit, boolean delete) {
        RetentionPath path = RetentionPath.parse(rule.path());
        Instant cutoff = cutoff(rule);
        Tally tally = new Tally(limit);
        for (int page = 0;; page++) {
            List<LoginAccount> accounts = rule.username() != null
                    ? (page == 0 ? users.findLoginAccount(rule.username()).stream().toList() : List.of())
                    : users.loginAccounts(page, USERS_PER_PAGE);
            for (LoginAccount account : accounts) {
                sweepHome(rule, path, cutoff, account, delete, tally);
            }
            if (accounts.size() < USERS_PER_PAGE) {
                break;
            }
        }
        // Like an SFTP session's DELETE, each record was queued as its file went; the answer waits for all of them.
        try {
            CompletableFuture.allOf(tally.records.toArray(CompletableFuture[]::new)).join();
        } catch (RuntimeException e) {
            log.error("Audit records of retention rule '{}' could not be written: {}", rule.name(), e.toString());
            tally.failures.add("the audit records of these deletions could not be written (see the server log)");
        }
        return new RetentionReport(rule.id(), rule.name(), !delete, OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC), tally.totalFiles,
                tally.totalBytes, List.copyOf(tally.files), tally.totalFiles > tally.files.size(), tally.skipped,
                List.copyOf(tally.failures));
    }

    private Instant cutoff(RetentionRule rule) {
        return clock.instant().minus(Duration.ofDays(rule.days()));
    }

    private void sweepHome(RetentionRule rule, RetentionPath path, Instant cutoff, LoginAccount account, boolean delete, Tally tally) {
        try (UserHome home = open(account)) {
            Path start = home.fileSystem().getPath(path.base());
            // Not Files.isDirectory: it answers false for a storage that cannot be reached, and that home would pass for empty.
            BasicFileAttributes top;
            try {
                top = Files.readAttributes(start, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                return;
            }
            if (!top.isDirectory()) {
                return; // a file or a link: nothing under the rule's path
            }
            home.checkConfined(start, true);
            Files.walkFileTree(start, EnumSet.noneOf(java.nio.file.FileVisitOption.class), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    return dir.equals(start) || path.couldContain(virtual(dir)) ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (!attrs.isRegularFile() || !attrs.lastModifiedTime().toInstant().isBefore(cutoff) || !path.matches(virtual(file))) {
                        return FileVisitResult.CONTINUE;
                    }
                    if (!delete) {
                        tally.add(account, virtual(file), attrs.size(), attrs.lastModifiedTime().toInstant());
                        return FileVisitResult.CONTINUE;
                    }
                    try {
                        Outcome outcome = deleteIfUnchanged(rule, cutoff, account, home, file, attrs.lastModifiedTime().toInstant(), tally.records);
                        if (outcome == Outcome.DELETED) {
                            tally.add(account, virtual(file), attrs.size(), attrs.lastModifiedTime().toInstant());
                        } else {
                            tally.skipped++;
                        }
                    } catch (IOException | RuntimeException e) {
                        failed(tally, account, virtual(file), e);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    if (!(e instanceof NoSuchFileException)) { // removed while we walked: nothing to do
                        failed(tally, account, virtual(file), e);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                    if (e != null && !(e instanceof NoSuchFileException)) {
                        failed(tally, account, virtual(dir), e);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException | RuntimeException e) {
            failed(tally, account, path.base(), e);
        }
    }

    private Outcome deleteIfUnchanged(RetentionRule rule, Instant cutoff, LoginAccount account, UserHome home, Path file, Instant seen,
            List<CompletableFuture<Void>> records) throws IOException {
        home.checkConfined(file, false); // its directories (links included) still lead to a place inside the home
        BasicFileAttributes now;
        try (NameLocks.Held name = nameLocks.hold(account.username(), virtual(file))) {
            try {
                now = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                return Outcome.VANISHED;
            }
            Instant modified = now.lastModifiedTime().toInstant();
            if (!now.isRegularFile() || !modified.equals(seen) || !modified.isBefore(cutoff)) {
                return Outcome.CHANGED;
            }
            try {
                Files.delete(file);
            } catch (NoSuchFileException e) {
                return Outcome.VANISHED;
            }
            ledger.record(account.id(), -now.size(), -1);
        }
        keepDirectory(home, file.getParent());
        records.add(audit.append(AuditEvent.of(AuditType.DELETE).withUser(account.username(), null, SYSTEM_SESSION)
                .withClient(null, SYSTEM_CLIENT).withPaths(virtual(file), null).withTransfer(now.size(), null, null)
                .withOutcome(AuditStatus.OK, rule.describe())));
        metrics.deleted(now.size());
        return Outcome.DELETED;
    }

    /**
     * Directories stay: on S3 a directory that only its files made (no marker) would go with its
     * last file, so it is made again.
     */
    private static void keepDirectory(UserHome home, Path dir) {
        if (dir == null || Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException | RuntimeException e) {
            log.warn("Retention: could not keep the directory {} in a home on {} storage: {}", virtual(dir), home.storageName(), e.toString());
        }
    }

    private UserHome open(LoginAccount account) throws IOException {
        return storage.get(account.home().type()).open(account.home());
    }

    private void failed(Tally tally, LoginAccount account, String where, Exception e) {
        metrics.failed();
        log.warn("Retention: {} in the home of {}: {}", where, account.username(), e.toString());
        String reason = e instanceof AccessDeniedException ? "access denied"
                : e instanceof IOException ? "could not be read or deleted" : "failed";
        if (tally.failures.size() < MAX_FAILURES_LISTED) {
            tally.failures.add(account.username() + ": " + where + ": " + reason);
        }
    }

    private static String virtual(Path path) {
        return path.toAbsolutePath().normalize().toString();
    }

    /** The report being gathered: totals of everything, the files up to the limit. */
    private static final class Tally {
        final int limit;
        final List<RetentionFile> files = new ArrayList<>();
        final List<String> failures = new ArrayList<>();
        final List<CompletableFuture<Void>> records = new ArrayList<>();
        long totalFiles;
        long totalBytes;
        long skipped;

        Tally(int limit) {
            this.limit = limit;
        }

        void add(LoginAccount account, String path, long size, Instant modified) {
            totalFiles++;
            totalBytes += size;
            if (files.size() < limit) {
                files.add(new RetentionFile(account.username(), path, size, OffsetDateTime.ofInstant(modified, ZoneOffset.UTC)));
            }
        }
    }
}
