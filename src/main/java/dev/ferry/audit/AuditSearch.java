package dev.ferry.audit;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Reading the audit trail: filtered pages, exports and the chain check. */
@Service
public class AuditSearch {

    private static final String COLUMNS = "id, " + AuditFields.EVENT.columns();

    private final JdbcTemplate jdbc;
    private final AuditLog log;

    AuditSearch(JdbcTemplate jdbc, AuditLog log) {
        this.jdbc = jdbc;
        this.log = log;
    }

    public AuditPage search(AuditQuery query) {
        log.flush();
        List<Object> args = new ArrayList<>();
        String where = where(query, args);
        Long total = jdbc.queryForObject("select count(*) from audit_events" + where, Long.class, args.toArray());
        args.add(query.size());
        args.add((long) query.page() * query.size());
        List<AuditRecord> content = jdbc.query("select " + COLUMNS + " from audit_events" + where
                + " order by ts desc, id desc limit ? offset ?", (rs, i) -> record(rs), args.toArray());
        return new AuditPage(content, query.page(), query.size(), total == null ? 0 : total);
    }

    /** Streams every matching record, newest first, without holding them in memory. */
    @Transactional(readOnly = true)
    public void export(AuditQuery query, Consumer<AuditRecord> sink) {
        log.flush();
        List<Object> args = new ArrayList<>();
        String where = where(query, args);
        jdbc.query(con -> {
            var statement = con.prepareStatement("select " + COLUMNS + " from audit_events" + where + " order by ts desc, id desc");
            statement.setFetchSize(1000);
            for (int i = 0; i < args.size(); i++) {
                statement.setObject(i + 1, args.get(i));
            }
            return statement;
        }, (RowCallbackHandler) rs -> sink.accept(record(rs)));
    }

    /** Walks the chain from the oldest kept record; the oldest one's link backwards is taken as given. */
    @Transactional(readOnly = true)
    public ChainVerification verify() {
        log.flush();
        long[] checked = {0};
        String[] previousHash = {null};
        Long[] firstInvalid = {null};
        String[] reason = {null};
        jdbc.query(con -> {
            var statement = con.prepareStatement("select " + COLUMNS + ", prev_hash, hash from audit_events order by id");
            statement.setFetchSize(2000);
            return statement;
        }, (RowCallbackHandler) rs -> {
            if (firstInvalid[0] != null) {
                return;
            }
            AuditRecord r = record(rs);
            String prev = rs.getString("prev_hash");
            String hash = rs.getString("hash");
            checked[0]++;
            if (previousHash[0] != null && !previousHash[0].equals(prev)) {
                firstInvalid[0] = r.id();
                reason[0] = "record " + r.id() + " does not follow the record before it: a record was removed or altered before it";
                return;
            }
            String expected = AuditChain.hash(prev, r.event());
            if (!expected.equals(hash)) {
                firstInvalid[0] = r.id();
                reason[0] = "record " + r.id() + " was altered: its content does not match its hash";
                return;
            }
            previousHash[0] = hash;
        });
        return new ChainVerification(firstInvalid[0] == null, checked[0], firstInvalid[0], reason[0]);
    }

    private static String where(AuditQuery q, List<Object> args) {
        StringBuilder where = new StringBuilder(" where true");
        if (q.username() != null) {
            where.append(" and username = ?");
            args.add(q.username());
        }
        if (q.type() != null) {
            where.append(" and type = ?");
            args.add(q.type().name());
        }
        if (q.from() != null) {
            where.append(" and ts >= ?");
            args.add(Timestamp.from(q.from()));
        }
        if (q.to() != null) {
            where.append(" and ts < ?");
            args.add(Timestamp.from(q.to()));
        }
        if (q.path() != null) {
            where.append(" and (path like ? escape '\\' or target_path like ? escape '\\')");
            String like = "%" + q.path().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
            args.add(like);
            args.add(like);
        }
        return where.toString();
    }

    private static AuditRecord record(ResultSet rs) throws SQLException {
        return new AuditRecord(rs.getLong("id"), AuditFields.EVENT.fromSql(rs));
    }
}
