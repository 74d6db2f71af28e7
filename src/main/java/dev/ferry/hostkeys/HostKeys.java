package dev.ferry.hostkeys;

import dev.ferry.shared.ConflictException;
import dev.ferry.shared.InvalidInputException;
import dev.ferry.shared.NotFoundException;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The server's host keys, kept in PostgreSQL so that clients' {@code known_hosts} stays valid across
 * restarts and every replica serves the same keys; rotated through the admin API.
 * <p>
 * Several keys of one algorithm may be active: all are advertised to clients after login (OpenSSH's
 * {@code hostkeys-00@openssh.com}, which {@code UpdateHostKeys} adds to known_hosts), but key
 * exchange can present only one per algorithm, the <em>primary</em> one. Every algorithm with active
 * keys has exactly one primary: the first key of an algorithm becomes it, and when the primary is
 * retired or deleted the newest other active key of its algorithm takes over. At least one key stays
 * active. Changes are serialised by a transaction-scoped advisory lock, so replicas changing keys at
 * once (or starting together on an empty database) cannot break these rules.
 */
@Service
public class HostKeys {

    static final int MAX_LABEL = 100;
    private static final Logger log = LoggerFactory.getLogger(HostKeys.class);
    private static final String COLUMNS = "id, algorithm, private_key, fingerprint, state, is_primary, label, created_at";
    /** pg_advisory_xact_lock key for host key changes: "ferry.host_keys" as a number. */
    private static final long LOCK = 0x6665727279686bL;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final ApplicationEventPublisher events;

    HostKeys(JdbcTemplate jdbc, TransactionTemplate tx, ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.events = events;
    }

    public List<HostKey> list() {
        return jdbc.query("select " + COLUMNS + " from host_keys order by id", HostKeys::view);
    }

    public HostKey get(long id) {
        return jdbc.query("select " + COLUMNS + " from host_keys where id = ?", HostKeys::view, id).stream().findFirst()
                .orElseThrow(() -> new NotFoundException("there is no host key with id " + id));
    }

    /**
     * Adds an active key: generated for {@code algorithm} (and {@code bits}), or imported from
     * {@code privateKey}; it is primary only if its algorithm had no active key.
     */
    public HostKey add(String algorithm, Integer bits, String privateKey, String passphrase, String label) {
        String checkedLabel = checkLabel(label);
        KeyPair pair;
        if (privateKey != null) {
            if (algorithm != null || bits != null) {
                throw new InvalidInputException(algorithm != null ? "algorithm" : "bits", "give either \"privateKey\" to import "
                        + "a key or \"algorithm\" (and \"bits\") to generate one, not both: an imported key's algorithm is its own");
            }
            pair = HostKeyMaterial.parse(privateKey, passphrase);
        } else {
            if (passphrase != null) {
                throw new InvalidInputException("passphrase", "\"passphrase\" goes with an imported \"privateKey\"; generated "
                        + "keys are stored like every host key, unencrypted in the database");
            }
            pair = HostKeyMaterial.generate(algorithm, bits);
        }
        String type = KeyUtils.getKeyType(pair);
        String fingerprint = KeyUtils.getFingerPrint(pair.getPublic());
        long id = locked(() -> {
            if (!jdbc.queryForList("select id from host_keys where fingerprint = ?", Long.class, fingerprint).isEmpty()) {
                throw new ConflictException("privateKey", "this key (" + fingerprint + ") is already a host key");
            }
            return jdbc.queryForObject("insert into host_keys (algorithm, private_key, fingerprint, label, is_primary) "
                    + "values (?, ?, ?, ?, not exists (select 1 from host_keys where algorithm = ? and is_primary)) returning id",
                    Long.class, type, HostKeyMaterial.encode(pair), fingerprint, checkedLabel, type);
        });
        log.info("Added the {} host key {} (id {})", type, fingerprint, id);
        return changed(id);
    }

    /** Makes an active key the one presented in key exchange for its algorithm. */
    public HostKey makePrimary(long id) {
        locked(() -> {
            HostKey key = get(id);
            if (key.state().equals("retired")) {
                throw new ConflictException(null, "host key " + id + " is retired: activate it first (POST /api/v1/host-keys/"
                        + id + "/activate) so clients learn it before it is presented");
            }
            jdbc.update("update host_keys set is_primary = false, changed_at = now() where algorithm = ? and is_primary and id <> ?",
                    key.algorithm(), id);
            jdbc.update("update host_keys set is_primary = true, changed_at = now() where id = ?", id);
            return id;
        });
        return changed(id);
    }

    /** Stops serving a key (neither presented nor advertised); kept so it can be activated again. */
    public HostKey retire(long id) {
        locked(() -> {
            HostKey key = get(id);
            if (key.state().equals("active")) {
                refuseLastActive(key, "retire");
                jdbc.update("update host_keys set state = 'RETIRED', is_primary = false, changed_at = now() where id = ?", id);
                promoteNewest(key);
            }
            return id;
        });
        return changed(id);
    }

    /** Serves a retired key again: advertised, and primary if its algorithm has no other active key. */
    public HostKey activate(long id) {
        locked(() -> {
            HostKey key = get(id);
            jdbc.update("update host_keys set state = 'ACTIVE', changed_at = now(), is_primary = "
                    + "not exists (select 1 from host_keys where algorithm = ? and is_primary and id <> ?) where id = ? and state <> 'ACTIVE'",
                    key.algorithm(), id, id);
            return id;
        });
        return changed(id);
    }

    public HostKey delete(long id) {
        HostKey deleted = locked(() -> {
            HostKey key = get(id);
            if (key.state().equals("active")) {
                refuseLastActive(key, "delete");
            }
            jdbc.update("delete from host_keys where id = ?", id);
            promoteNewest(key);
            return key;
        });
        log.info("Deleted the {} host key {} (id {})", deleted.algorithm(), deleted.fingerprint(), id);
        events.publishEvent(new HostKeysChanged());
        return deleted;
    }

    /** The keys to serve, primaries first. */
    public List<ActiveHostKey> activeKeys() {
        return jdbc.query("select id, algorithm, is_primary, private_key from host_keys where state = 'ACTIVE' "
                + "order by is_primary desc, id", (rs, i) -> new ActiveHostKey(rs.getLong("id"), rs.getString("algorithm"),
                        rs.getBoolean("is_primary"), decode(rs.getLong("id"), rs.getString("private_key"))));
    }

    /**
     * Generates the first keys (ed25519 for modern clients, RSA 3072 for older and FIPS ones) when the
     * database has none; replicas starting together generate them once.
     */
    public void createInitialIfNone() {
        if (jdbc.queryForObject("select count(*) from host_keys", Long.class) > 0) {
            return;
        }
        locked(() -> {
            if (jdbc.queryForObject("select count(*) from host_keys", Long.class) == 0) {
                for (KeyPair pair : List.of(HostKeyMaterial.generate("ed25519", null), HostKeyMaterial.generate("rsa", null))) {
                    String fingerprint = KeyUtils.getFingerPrint(pair.getPublic());
                    jdbc.update("insert into host_keys (algorithm, private_key, fingerprint, label, is_primary) values (?, ?, ?, ?, true)",
                            KeyUtils.getKeyType(pair), HostKeyMaterial.encode(pair), fingerprint, "generated at first start");
                    log.info("Generated the {} host key {}", KeyUtils.getKeyType(pair), fingerprint);
                }
            }
            return 0L;
        });
    }

    private void refuseLastActive(HostKey key, String action) {
        long others = jdbc.queryForObject("select count(*) from host_keys where state = 'ACTIVE' and id <> ?", Long.class, key.id());
        if (others == 0) {
            throw new ConflictException(null, "host key " + key.id() + " is the last active host key: add its successor first "
                    + "(POST /api/v1/host-keys), then " + action + " this one; a server without host keys accepts no connection");
        }
    }

    /** After a primary left: the newest other active key of its algorithm becomes primary, if there is one. */
    private void promoteNewest(HostKey gone) {
        if (gone.primary()) {
            jdbc.update("update host_keys set is_primary = true, changed_at = now() where id = (select id from host_keys "
                    + "where algorithm = ? and state = 'ACTIVE' and id <> ? order by id desc limit 1)", gone.algorithm(), gone.id());
        }
    }

    private <T> T locked(Supplier<T> change) {
        return tx.execute(status -> {
            jdbc.queryForList("select pg_advisory_xact_lock(?)", LOCK);
            return change.get();
        });
    }

    private HostKey changed(long id) {
        events.publishEvent(new HostKeysChanged());
        return get(id);
    }

    private static String checkLabel(String label) {
        if (label == null) {
            return null;
        }
        String stripped = label.strip();
        if (stripped.length() > MAX_LABEL) {
            throw new InvalidInputException("label", "the label is longer than " + MAX_LABEL + " characters");
        }
        if (stripped.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new InvalidInputException("label", "the label contains control characters: use printable text");
        }
        return stripped.isEmpty() ? null : stripped;
    }

    private static KeyPair decode(long id, String text) {
        try {
            return HostKeyMaterial.decode(id, text);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("the stored host key " + id + " cannot be read", e);
        }
    }

    private static HostKey view(ResultSet rs, int i) throws SQLException {
        long id = rs.getLong("id");
        KeyPair pair = decode(id, rs.getString("private_key"));
        return new HostKey(id, rs.getString("algorithm"), KeyUtils.getKeySize(pair.getPublic()), rs.getString("fingerprint"),
                HostKeyMaterial.publicLine(pair), rs.getString("state").toLowerCase(Locale.ROOT), rs.getBoolean("is_primary"),
                rs.getString("label"), rs.getTimestamp("created_at").toInstant().atOffset(ZoneOffset.UTC));
    }
}
