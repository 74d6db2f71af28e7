package dev.ferry.sftp.session;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import dev.ferry.sftp.transport.ClientAddress;
import org.apache.sshd.server.auth.AsyncAuthException;
import org.apache.sshd.server.auth.password.PasswordAuthenticator;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks passwords off MINA's I/O threads. A check hashes on purpose slowly (about 0.1 CPU-s) and
 * may wait for LDAP or the auth hook up to their timeouts; MINA has only cores + 1 I/O threads,
 * shared by every session's reads and writes, so a few such checks would stall all transfers and
 * logins while they last. MINA lets an authenticator answer later ({@link AsyncAuthException}):
 * the check runs on a pool of {@code sftp.auth-threads} and answers when done.
 * <p>
 * Public keys stay on the I/O thread (a stored key is one indexed query): MINA asks about a key
 * twice, before and after the client's signature, and takes a late "yes" to the first question
 * for a completed login, so that question must be answered at once.
 */
public final class OffloadedPasswordAuth implements PasswordAuthenticator {

    private static final Logger log = LoggerFactory.getLogger(OffloadedPasswordAuth.class);
    /** Checks waiting for a thread; each unauthenticated connection (sftp.max-unauthenticated) has at most one. */
    private static final int MAX_WAITING = 10_000;

    private final PasswordAuthenticator checks;
    private final ThreadPoolExecutor pool;

    public OffloadedPasswordAuth(PasswordAuthenticator checks, int threads) {
        this.checks = checks;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(MAX_WAITING), r -> {
            Thread t = new Thread(r, "ferry-auth-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
    }

    @Override
    public boolean authenticate(String username, String password, ServerSession session) {
        AsyncAuthException answer = new AsyncAuthException();
        try {
            pool.execute(() -> answer.setAuthed(check(username, password, session)));
        } catch (RejectedExecutionException e) {
            log.warn("Refused a password login from {}: {} password checks are already waiting", ClientAddress.of(session),
                    pool.getQueue().size());
            return false;
        }
        throw answer;
    }

    private boolean check(String username, String password, ServerSession session) {
        if (!session.isOpen()) {
            return false; // the client left while the check waited
        }
        try {
            return checks.authenticate(username, password, session);
        } catch (RuntimeException e) {
            log.warn("A password check failed from {}: {}", ClientAddress.of(session), e.toString());
            return false;
        }
    }

    /** Stops taking checks; those running finish. */
    public void shutdown() {
        pool.shutdown();
    }
}
