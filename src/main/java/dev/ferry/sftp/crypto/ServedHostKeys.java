package dev.ferry.sftp.crypto;

import dev.ferry.hostkeys.ActiveHostKey;
import dev.ferry.hostkeys.HostKeys;
import dev.ferry.hostkeys.HostKeysChanged;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;
import java.util.Optional;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.session.SessionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The host keys this replica serves, read from the database at start, again after a change made
 * through this replica, and every {@code sftp.host-keys.reload-interval} (10 s) for changes made
 * through other replicas. A new connection uses the current set; an open session keeps the key it
 * was set up with, also when it re-keys.
 * <p>
 * Key exchange sees the primary key of each algorithm only ({@link #loadKeys}); all active keys are
 * advertised after login ({@link #advertised}) and can be proved ({@link #find}).
 */
@Component
public class ServedHostKeys implements KeyPairProvider {

    private static final Logger log = LoggerFactory.getLogger(ServedHostKeys.class);
    /** The keys a session's first key exchange could present. */
    private static final AttributeRepository.AttributeKey<List<KeyPair>> PRESENTED = new AttributeRepository.AttributeKey<>();

    private final HostKeys hostKeys;
    private volatile List<ActiveHostKey> keys = List.of();
    private volatile boolean loaded;

    ServedHostKeys(HostKeys hostKeys) {
        this.hostKeys = hostKeys;
    }

    /** Generates the first keys on an empty database, then loads them; fails the start when they cannot be read. */
    public void load() {
        hostKeys.createInitialIfNone();
        replace(hostKeys.activeKeys());
        loaded = true;
    }

    @EventListener(HostKeysChanged.class)
    void changedHere() {
        reload();
    }

    @Scheduled(fixedDelayString = "${sftp.host-keys.reload-interval:10s}", initialDelayString = "${sftp.host-keys.reload-interval:10s}")
    void reload() {
        if (!loaded) {
            return;
        }
        try {
            replace(hostKeys.activeKeys());
        } catch (RuntimeException e) {
            // The database may be briefly away: keep serving the keys we have.
            log.warn("Cannot reload the host keys, still serving the previous ones: {}", e.toString());
        }
    }

    private synchronized void replace(List<ActiveHostKey> current) {
        if (current.isEmpty()) {
            log.warn("The database lists no active host key; still serving the previous ones");
            return;
        }
        List<Long> before = keys.stream().map(k -> k.primary() ? -k.id() : k.id()).toList();
        List<Long> after = current.stream().map(k -> k.primary() ? -k.id() : k.id()).toList();
        keys = List.copyOf(current);
        if (!before.equals(after)) {
            current.forEach(k -> log.info("Serving host key {} {} (id {}{})", k.type(), KeyUtils.getFingerPrint(k.pair().getPublic()),
                    k.id(), k.primary() ? ", primary" : ", advertised only"));
        }
    }

    /**
     * What key exchange may present: the primary key of each algorithm, as they were at the session's
     * first key exchange. A re-key (MINA's every 1 GB or hour) presents the same key again: OpenSSH
     * ends a session whose host key changes during a re-key, so a key made primary or retired since
     * counts from the next connection.
     */
    @Override
    public Iterable<KeyPair> loadKeys(SessionContext session) {
        List<KeyPair> current = keys.stream().filter(ActiveHostKey::primary).map(ActiveHostKey::pair).toList();
        if (session == null) {
            return current;
        }
        List<KeyPair> pinned = session.getAttribute(PRESENTED);
        if (pinned == null) {
            pinned = current;
            session.setAttribute(PRESENTED, pinned);
        }
        return pinned;
    }

    /** Every active key's public half, primaries first: what clients are told to trust. */
    public List<PublicKey> advertised() {
        return keys.stream().map(k -> k.pair().getPublic()).toList();
    }

    /** The active key pair with this public key, for proving possession of it. */
    public Optional<KeyPair> find(PublicKey publicKey) {
        return keys.stream().map(ActiveHostKey::pair).filter(p -> KeyUtils.compareKeys(p.getPublic(), publicKey)).findFirst();
    }
}
