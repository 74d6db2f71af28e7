package dev.ferry.usercas;

import dev.ferry.shared.ConflictException;
import dev.ferry.shared.InvalidInputException;
import dev.ferry.shared.NotFoundException;
import dev.ferry.users.SshPublicKey;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * Trusted user CAs and their revocations, in PostgreSQL. A login reads them with one indexed query
 * ({@link #trust}), so a CA removed or a certificate revoked through any replica counts from the
 * next login on every replica; an uploaded KRL ({@link RevokedKeys}) within seconds.
 */
@Service
public class UserCas {

    static final int MAX_NAME = 100;
    static final int MAX_KEY_ID = 1024;
    private static final BigInteger MAX_SERIAL = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    private static final String COLUMNS = "id, name, key_type, key_data, fingerprint, created_at";

    private final JdbcTemplate jdbc;
    private final RevokedKeys krl;

    UserCas(JdbcTemplate jdbc, RevokedKeys krl) {
        this.jdbc = jdbc;
        this.krl = krl;
    }

    public List<UserCa> list() {
        return jdbc.query("select " + COLUMNS + " from user_cas order by lower(name)", UserCas::row);
    }

    public UserCa get(long id) {
        return jdbc.query("select " + COLUMNS + " from user_cas where id = ?", UserCas::row, id).stream().findFirst()
                .orElseThrow(() -> new NotFoundException("there is no user CA with id " + id));
    }

    public UserCa create(String name, String publicKey) {
        String checkedName = checkName(name);
        SshPublicKey key = parseCaKey(publicKey);
        try {
            Long id = jdbc.queryForObject("insert into user_cas (name, key_type, key_data, fingerprint) values (?, ?, ?, ?) returning id",
                    Long.class, checkedName, key.type(), key.blob(), key.fingerprint());
            return get(id);
        } catch (DuplicateKeyException e) {
            boolean sameKey = !jdbc.queryForList("select id from user_cas where fingerprint = ?", Long.class, key.fingerprint()).isEmpty();
            throw sameKey
                    ? new ConflictException("publicKey", "this CA key (" + key.fingerprint() + ") is already trusted")
                    : new ConflictException("name", "a user CA named '" + checkedName + "' already exists");
        }
    }

    public UserCa delete(long id) {
        UserCa ca = get(id);
        jdbc.update("delete from user_cas where id = ?", id);
        return ca;
    }

    public List<Revocation> revocations(long caId) {
        get(caId);
        return jdbc.query("select id, serial, key_id, created_at from user_ca_revocations where ca_id = ? order by id",
                UserCas::revocation, caId);
    }

    /** Revokes the CA's certificates with this serial (0 to 2^64-1) or this key id; exactly one is given. */
    public Revocation revoke(long caId, BigInteger serial, String keyId) {
        get(caId);
        if ((serial == null) == (keyId == null)) {
            throw new InvalidInputException(null, "give exactly one of \"serial\" (the certificate's serial number, as ssh-keygen -L "
                    + "prints it) or \"keyId\" (its key identity, ssh-keygen -I)");
        }
        if (serial != null && (serial.signum() < 0 || serial.compareTo(MAX_SERIAL) > 0)) {
            throw new InvalidInputException("serial", "a certificate serial is a number from 0 to " + MAX_SERIAL);
        }
        if (keyId != null && (keyId.isEmpty() || keyId.length() > MAX_KEY_ID)) {
            throw new InvalidInputException("keyId", "the key id must have 1 to " + MAX_KEY_ID + " characters");
        }
        if (keyId != null && keyId.indexOf('\0') >= 0) {
            throw new InvalidInputException("keyId", "the key id cannot contain NUL characters");
        }
        Long storedSerial = serial == null ? null : serial.longValue();
        try {
            Long id = jdbc.queryForObject("insert into user_ca_revocations (ca_id, serial, key_id) values (?, ?, ?) returning id",
                    Long.class, caId, storedSerial, keyId);
            return jdbc.queryForObject("select id, serial, key_id, created_at from user_ca_revocations where id = ?",
                    UserCas::revocation, id);
        } catch (DuplicateKeyException e) {
            throw new ConflictException(serial == null ? "keyId" : "serial", "this certificate is already revoked");
        }
    }

    public Revocation unrevoke(long caId, long revocationId) {
        Revocation found = revocations(caId).stream().filter(r -> r.id() == revocationId).findFirst()
                .orElseThrow(() -> new NotFoundException("user CA " + caId + " has no revocation with id " + revocationId));
        jdbc.update("delete from user_ca_revocations where id = ?", revocationId);
        return found;
    }

    /**
     * The trusted CA with this key fingerprint, and whether a certificate of this serial or key id is
     * revoked; empty if the CA is not trusted.
     */
    public Optional<CaTrust> trust(String caFingerprint, long serial, String keyId) {
        // PostgreSQL cannot take a NUL in text; no revocation holds one, so such a key id matches none.
        String storableKeyId = keyId == null || keyId.indexOf('\0') >= 0 ? null : keyId;
        return jdbc.query("select c.id, c.name, "
                + "(select case when r.serial = ? then 'serial' else 'key id' end from user_ca_revocations r "
                + " where r.ca_id = c.id and (r.serial = ? or r.key_id = ?) limit 1) as revoked "
                + "from user_cas c where c.fingerprint = ?",
                (rs, i) -> {
                    String revoked = rs.getString("revoked");
                    String revokedBy = revoked == null ? null
                            : revoked.equals("serial") ? "serial " + Long.toUnsignedString(serial) : "key id";
                    return new CaTrust(rs.getLong("id"), rs.getString("name"), revokedBy);
                },
                serial, serial, storableKeyId, caFingerprint).stream().findFirst();
    }

    /** Why the uploaded KRL revokes this plain key (its SSH wire blob), if it does. */
    public Optional<String> krlRevokesKey(byte[] keyBlob) {
        return krl.revokesKey(keyBlob);
    }

    /** Why the uploaded KRL revokes this certificate (by its key, its CA's key, serial or key id), if it does. */
    public Optional<String> krlRevokesCertificate(byte[] certifiedKeyBlob, byte[] caKeyBlob, long serial, String keyId) {
        return krl.revokesCertificate(certifiedKeyBlob, caKeyBlob, serial, keyId);
    }

    private static String checkName(String name) {
        if (name == null || name.isBlank()) {
            throw new InvalidInputException("name", "name is required: a short name for the CA, e.g. \"corp-ca\"");
        }
        String stripped = name.strip();
        if (stripped.length() > MAX_NAME) {
            throw new InvalidInputException("name", "the name is longer than " + MAX_NAME + " characters");
        }
        if (stripped.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new InvalidInputException("name", "the name contains control characters: use printable text");
        }
        return stripped;
    }

    private static SshPublicKey parseCaKey(String line) {
        if (line != null && line.strip().split("\\s+", 2)[0].endsWith("-cert-v01@openssh.com")) {
            throw new InvalidInputException("publicKey", "this is a certificate, not a CA key: give the CA's public key "
                    + "(the .pub file next to the CA's private key, e.g. ca.pub)");
        }
        return SshPublicKey.parse("publicKey", line);
    }

    private static UserCa row(ResultSet rs, int i) throws SQLException {
        String type = rs.getString("key_type");
        return new UserCa(rs.getLong("id"), rs.getString("name"), type, type + " " + rs.getString("key_data"),
                rs.getString("fingerprint"), rs.getTimestamp("created_at").toInstant().atOffset(ZoneOffset.UTC));
    }

    private static Revocation revocation(ResultSet rs, int i) throws SQLException {
        long serial = rs.getLong("serial");
        BigInteger unsigned = rs.wasNull() ? null : new BigInteger(Long.toUnsignedString(serial));
        return new Revocation(rs.getLong("id"), unsigned, rs.getString("key_id"),
                rs.getTimestamp("created_at").toInstant().atOffset(ZoneOffset.UTC));
    }
}
