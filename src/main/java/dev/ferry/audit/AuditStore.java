package dev.ferry.audit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The trail in PostgreSQL: appends records to the hash chain, with the stored digests they
 * change and (from a journal) how far it is shipped, in one transaction; sets aside a record
 * PostgreSQL refuses. Instances sharing the database extend one chain: a unique index on the
 * previous hash lets only one of them extend it from a given record, the other continues from
 * the new end.
 */
final class AuditStore {

    private static final Logger log = LoggerFactory.getLogger(AuditStore.class);

    /**
     * Inserts one record and, for a whole-file upload, stores its digest, in one statement: one
     * round trip on the path of every upload's CLOSE.
     */
    private static final String INSERT = "with ins as (insert into audit_events (" + AuditFields.EVENT.columns() + ", prev_hash, hash) "
            + "values (" + AuditFields.EVENT.placeholders() + ", ?, ?) "
            + "returning username, path, sha256, bytes, ts, type, status) "
            + "insert into file_digests (user_id, path, sha256, size, modified_at) "
            + "select u.id, ins.path, ins.sha256, coalesce(ins.bytes, 0), ins.ts from ins join users u on lower(u.username) = lower(ins.username) "
            + "where ins.type = 'UPLOAD' and ins.status = 'OK' and ins.sha256 is not null and ins.path is not null "
            + "and strpos(ins.path, chr(92) || 'u') = 0 " // see FileDigests.apply: no digest under a path that may be escaped
            + "on conflict (user_id, path) do update set sha256 = excluded.sha256, size = excluded.size, modified_at = excluded.modified_at, "
            + FileDigests.KEEP_IDENTITY_OF_SAME_DIGEST;

    /** A journal's entry: stored with the records it covers, so a restart ships exactly what had not arrived. */
    record JournalMark(UUID journalId, long seq) {
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final FileDigests digests;
    /**
     * The last hash this instance wrote. The chain is extended from it without asking the table;
     * if another instance extended it meanwhile, the unique index on prev_hash refuses the
     * insert and the batch is written again from the table's last record.
     */
    private volatile String head;

    AuditStore(JdbcTemplate jdbc, FileDigests digests) {
        this.jdbc = jdbc;
        // Plain JDBC transactions: the JPA transaction manager would open an EntityManager for
        // every batch, on the path of every upload's CLOSE.
        this.tx = new TransactionTemplate(new JdbcTransactionManager(jdbc.getDataSource()));
        this.digests = digests;
    }

    /**
     * Appends the records after the chain's end, in order: all of them or none (one transaction,
     * with {@code mark} if not null; a single record without a mark is one statement).
     */
    void append(List<AuditEvent> records, JournalMark mark) {
        while (true) {
            try {
                insert(records, mark);
                return;
            } catch (DuplicateKeyException e) {
                head = null;
                if (!String.valueOf(e.getMessage()).contains("audit_events_prev_hash")) {
                    throw e;
                }
                // Another instance extended the chain from the same record: continue from its end.
            } catch (RuntimeException e) {
                head = null;
                throw e;
            }
        }
    }

    private void insert(List<AuditEvent> records, JournalMark mark) {
        if (records.size() == 1 && mark == null) {
            // One statement is atomic on its own: no transaction, one round trip.
            head = insertChained(records);
            return;
        }
        tx.executeWithoutResult(status -> {
            String written = insertChained(records);
            if (mark != null) {
                markShipped(mark);
            }
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCompletion(int completion) {
                    head = completion == STATUS_COMMITTED ? written : null;
                }
            });
        });
    }

    /**
     * Writes the records after the chain's end and returns the new end. Consecutive records go out
     * as one JDBC batch; a record that changes other files' digests (rename, delete) is applied
     * in its place, so digests follow the records' order.
     */
    private String insertChained(List<AuditEvent> records) {
        String previous = head;
        if (previous == null) {
            previous = lastHash();
        }
        List<Object[]> rows = new ArrayList<>();
        for (AuditEvent e : records) {
            String hash = AuditChain.hash(previous, e);
            rows.add(row(e, previous, hash));
            previous = hash;
            if (FileDigests.changedBeyondTheInsert(e)) {
                insertRows(rows);
                digests.apply(e);
            }
        }
        insertRows(rows);
        return previous;
    }

    private void insertRows(List<Object[]> rows) {
        if (rows.size() == 1) {
            jdbc.update(INSERT, rows.get(0));
        } else if (!rows.isEmpty()) {
            jdbc.batchUpdate(INSERT, rows);
        }
        rows.clear();
    }

    private String lastHash() {
        List<String> last = jdbc.queryForList("select hash from audit_events order by id desc limit 1", String.class);
        return last.isEmpty() ? AuditChain.GENESIS : last.get(0);
    }

    private static Object[] row(AuditEvent e, String previous, String hash) {
        Object[] fields = AuditFields.EVENT.toSql(e);
        Object[] row = Arrays.copyOf(fields, fields.length + 2);
        row[fields.length] = previous;
        row[fields.length + 1] = hash;
        return row;
    }

    /**
     * Sets aside a record PostgreSQL refuses: stored apart from the trail (and outside its hash
     * chain) with the reason, its text escaped and its exact bytes, in the same transaction as the
     * journal's mark, so it is neither lost nor retried forever. Said once, at ERROR.
     */
    void quarantine(AuditEvent event, String refusal, JournalMark mark) {
        String record = AuditText.escaped(event.toString());
        String reason = AuditText.escaped(refusal);
        try {
            tx.executeWithoutResult(status -> {
                jdbc.update("insert into audit_quarantine (journal_id, journal_seq, error, record, raw) values (?, ?, ?, ?, ?)",
                        mark == null ? null : mark.journalId(), mark == null ? null : mark.seq(), reason, record,
                        AuditEventCodec.encode(event));
                if (mark != null) {
                    markShipped(mark);
                }
            });
        } catch (RuntimeException e) {
            if (DatabaseRefusal.of(e) == null || mark == null) {
                throw e;
            }
            // Not even the quarantine takes it: the log line below is all that is left of it.
            tx.executeWithoutResult(status -> markShipped(mark));
        }
        log.error("PostgreSQL refused an audit record ({}); it was set aside in audit_quarantine and the records after it are "
                + "written. The record: {}", reason, record);
    }

    /** How far a journal is shipped: everything up to this number is in PostgreSQL (0: nothing yet). */
    long shipped(UUID journalId) {
        List<Long> marks = jdbc.queryForList("select shipped_seq from audit_journal_marks where journal_id = ?", Long.class, journalId);
        return marks.isEmpty() ? 0 : marks.get(0);
    }

    private void markShipped(JournalMark mark) {
        jdbc.update("insert into audit_journal_marks (journal_id, shipped_seq) values (?, ?) "
                        + "on conflict (journal_id) do update set shipped_seq = excluded.shipped_seq, updated_at = now()",
                mark.journalId(), mark.seq());
    }
}
