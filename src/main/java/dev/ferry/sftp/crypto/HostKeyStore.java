package dev.ferry.sftp.crypto;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The server's host keys, generated once and kept in PostgreSQL, so that clients'
 * {@code known_hosts} stays valid across restarts and every replica presents the same keys.
 * Replicas starting together race on an insert that only the first wins; all then read the
 * winner's keys.
 */
@Component
public class HostKeyStore {

    private static final Logger log = LoggerFactory.getLogger(HostKeyStore.class);

    /** ed25519 first (what modern clients pick), RSA for older clients: 3072 bits, SHA-2 signatures only. */
    static final List<HostKeySpec> SPECS = List.of(
            new HostKeySpec("ssh-ed25519", KeyPairAlgorithm.ED25519, 256),
            new HostKeySpec("rsa", KeyPairAlgorithm.RSA, 3072));

    record HostKeySpec(String name, KeyPairAlgorithm algorithm, int bits) {
    }

    enum KeyPairAlgorithm {
        ED25519("ssh-ed25519"),
        RSA("ssh-rsa");

        final String keyType;

        KeyPairAlgorithm(String keyType) {
            this.keyType = keyType;
        }
    }

    private final JdbcTemplate jdbc;

    HostKeyStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Loads the host keys, generating and storing the missing ones. */
    public List<KeyPair> loadOrCreate() throws IOException, GeneralSecurityException {
        List<KeyPair> keys = new ArrayList<>();
        for (HostKeySpec spec : SPECS) {
            List<String> stored = jdbc.queryForList("select private_key from host_keys where algorithm = ?", String.class, spec.name());
            if (stored.isEmpty()) {
                KeyPair generated = KeyUtils.generateKeyPair(spec.algorithm().keyType, spec.bits());
                int inserted = jdbc.update("insert into host_keys (algorithm, private_key, fingerprint) values (?, ?, ?) on conflict do nothing",
                        spec.name(), encode(generated), KeyUtils.getFingerPrint(generated.getPublic()));
                if (inserted == 1) {
                    log.info("Generated the {} host key {}", spec.name(), KeyUtils.getFingerPrint(generated.getPublic()));
                }
                stored = jdbc.queryForList("select private_key from host_keys where algorithm = ?", String.class, spec.name());
            }
            KeyPair pair = decode(spec.name(), stored.get(0));
            log.info("Host key {} {}", spec.name(), KeyUtils.getFingerPrint(pair.getPublic()));
            keys.add(pair);
        }
        return keys;
    }

    private static String encode(KeyPair pair) throws IOException, GeneralSecurityException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, "ferry host key", null, out);
        return out.toString(StandardCharsets.US_ASCII);
    }

    private static KeyPair decode(String name, String text) throws IOException, GeneralSecurityException {
        Iterable<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName("host key " + name),
                new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)), null);
        Iterator<KeyPair> it = pairs == null ? null : pairs.iterator();
        if (it == null || !it.hasNext()) {
            throw new GeneralSecurityException("the stored " + name + " host key cannot be read");
        }
        return it.next();
    }
}
