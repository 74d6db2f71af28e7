package dev.ferry.usercas;

import dev.ferry.shared.NotFoundException;
import dev.ferry.shared.Sha256;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;

/**
 * The uploaded OpenSSH KRL, kept in PostgreSQL and held parsed in memory, so a login asks it without
 * a query. Every replica compares the stored file's SHA-256 with its own every
 * {@code sftp.krl.refresh-interval} (5 s) and reloads it when it changed; the replica that took the
 * upload uses it at once.
 */
@Service
public class RevokedKeys {

    private static final Logger log = LoggerFactory.getLogger(RevokedKeys.class);

    /** The KRL in force and the hash of the file it came from; NONE when none is uploaded. */
    private record Loaded(String sha256, Krl krl) {
        static final Loaded NONE = new Loaded(null, null);
    }

    private final JdbcTemplate jdbc;
    private volatile Loaded loaded;

    RevokedKeys(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The uploaded KRL's summary; 404 when there is none. */
    public RevokedKeysList current() {
        return jdbc.query("select krl, sha256, uploaded_at from revoked_keys", (rs, i) -> {
            byte[] data = rs.getBytes("krl");
            return summary(Krl.parse(data), rs.getString("sha256"), data.length,
                    rs.getTimestamp("uploaded_at").toInstant().atOffset(ZoneOffset.UTC));
        }).stream().findFirst().orElseThrow(RevokedKeys::noneUploaded);
    }

    /** Replaces the KRL with this file, once it reads as one (else 400 naming what is wrong). */
    public RevokedKeysList replace(byte[] data) {
        Krl krl = Krl.parse(data);
        String sha256 = Sha256.hex(data);
        jdbc.update("insert into revoked_keys (id, krl, sha256) values (1, ?, ?) on conflict (id) do update "
                + "set krl = excluded.krl, sha256 = excluded.sha256, uploaded_at = now()", data, sha256);
        loaded = new Loaded(sha256, krl);
        log.info("KRL version {} ({} bytes, sha256 {}) now revokes {}", krl.version(), data.length, sha256, krl.contents());
        return current();
    }

    /** Removes the KRL: only revocations made through the API count from now on. 404 when there is none. */
    public RevokedKeysList delete() {
        RevokedKeysList removed = current();
        jdbc.update("delete from revoked_keys");
        loaded = Loaded.NONE;
        log.info("KRL removed (it was version {}, sha256 {})", removed.krlVersion(), removed.sha256());
        return removed;
    }

    /** Why the KRL revokes this plain key (its SSH wire blob), if it does. */
    public Optional<String> revokesKey(byte[] keyBlob) {
        Krl krl = krl();
        return krl == null ? Optional.empty() : krl.revokesKey(keyBlob);
    }

    /** Why the KRL revokes this certificate, if it does (see {@link Krl#revokesCertificate}). */
    public Optional<String> revokesCertificate(byte[] certifiedKeyBlob, byte[] caKeyBlob, long serial, String keyId) {
        Krl krl = krl();
        return krl == null ? Optional.empty() : krl.revokesCertificate(certifiedKeyBlob, caKeyBlob, serial, keyId);
    }

    /** Follows an upload or removal made through another replica. */
    @Scheduled(fixedDelayString = "${sftp.krl.refresh-interval:5s}", initialDelayString = "${sftp.krl.refresh-interval:5s}")
    void refresh() {
        try {
            List<String> stored = jdbc.queryForList("select sha256 from revoked_keys", String.class);
            Loaded now = loaded;
            if (stored.isEmpty()) {
                loaded = Loaded.NONE;
            } else if (now == null || !stored.get(0).equals(now.sha256())) {
                load();
            }
        } catch (DataAccessException e) {
            log.warn("Could not check the KRL for changes, the one loaded stays in force: {}", e.getMessage());
        } catch (RuntimeException e) {
            // Only a KRL stored by a newer Ferry (during a rolling upgrade) can fail to read here.
            log.error("The stored KRL cannot be read by this version, the one loaded stays in force: {}", e.getMessage());
        }
    }

    private Krl krl() {
        Loaded now = loaded;
        if (now == null) {
            now = load();
        }
        return now.krl();
    }

    private synchronized Loaded load() {
        List<Loaded> rows = jdbc.query("select krl, sha256 from revoked_keys",
                (rs, i) -> new Loaded(rs.getString("sha256"), Krl.parse(rs.getBytes("krl"))));
        Loaded now = rows.isEmpty() ? Loaded.NONE : rows.get(0);
        loaded = now;
        return now;
    }

    private static RevokedKeysList summary(Krl krl, String sha256, int size, OffsetDateTime uploadedAt) {
        return new RevokedKeysList(krl.version(), krl.generatedAt(), krl.comment(), sha256, size, uploadedAt, krl.contents());
    }

    private static NotFoundException noneUploaded() {
        return new NotFoundException("no KRL is uploaded: PUT /api/v1/revoked-keys with the file ssh-keygen -k wrote "
                + "(Content-Type: application/octet-stream)");
    }
}
