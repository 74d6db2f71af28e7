package dev.ferry.sftp.transport;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.Service;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.auth.AbstractUserAuthServiceFactory;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.auth.UserAuthNoneFactory;
import org.apache.sshd.server.auth.keyboard.UserAuthKeyboardInteractiveFactory;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.server.session.ServerUserAuthService;

/**
 * Limits authentication per connection, not per {@code ssh-userauth} service. MINA keeps its
 * request count ({@code MAX_AUTH_REQUESTS}) and restarts its authentication clock in the service
 * object, and makes a new one for every {@code SSH_MSG_SERVICE_REQUEST}; paramiko sends one
 * before each {@code auth_*} call, so a client could guess passwords without end on one connection
 * and stay unauthenticated past {@code sftp.auth-timeout}. Refusing a second service request would
 * break paramiko's fallback from keys to a password, so instead the count and the clock live on
 * the session:
 * <ul>
 * <li>failed authentication requests are counted as OpenSSH's MaxAuthTries counts them (a
 * {@code none} probe and a public key the server would accept do not count); the one that reaches
 * {@code sftp.max-auth-attempts} is answered with a disconnect ("Too many authentication
 * failures");</li>
 * <li>a new service request after the connection's authentication time is over is refused, which
 * disconnects it, so restarting the service buys at most one more timeout (none is set when the
 * timeout is 0, MINA's "no timeout").</li>
 * </ul>
 * The same service answers a login that needs a second factor (a user's login policy): a method
 * that succeeded while {@code pendingMethod} names another one is answered "partial success" with
 * that method, and a failure then lists only it. Before that, {@code keyboard-interactive} (only
 * ever a second factor in Ferry) is not offered, so clients see today's "publickey,password".
 * MINA's own {@code auth-methods} cannot do this: it is read when the service starts, before the
 * username is known, and its progress is kept in the service, which paramiko restarts per method.
 */
public final class AuthAttemptLimit extends AbstractUserAuthServiceFactory {

    private static final AttributeKey<AtomicInteger> FAILURES = new AttributeKey<>();
    private static final AttributeKey<Long> FIRST_SERVICE_NANOS = new AttributeKey<>();
    private static final String KEYBOARD_INTERACTIVE = UserAuthKeyboardInteractiveFactory.NAME;

    private final int maxFailures;
    private final Duration authTimeout;
    private final Function<Session, String> pendingMethod;

    /** {@code pendingMethod}: the method a session must authenticate with next (a second factor), or null. */
    public AuthAttemptLimit(int maxFailures, Duration authTimeout, Function<Session, String> pendingMethod) {
        this.maxFailures = maxFailures;
        this.authTimeout = authTimeout;
        this.pendingMethod = pendingMethod;
    }

    @Override
    public Service create(Session session) throws IOException {
        long now = System.nanoTime();
        Long first = session.computeAttributeIfAbsent(FIRST_SERVICE_NANOS, key -> now);
        if (!authTimeout.isZero() && !authTimeout.isNegative() && now - first > authTimeout.toNanos()) {
            throw new SshException(SshConstants.SSH2_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE,
                    "the time to authenticate is over");
        }
        return new CountingService(session);
    }

    private final class CountingService extends ServerUserAuthService {

        /** The method of the request being answered; requests on one service are handled one at a time. */
        private String method;

        CountingService(Session session) throws IOException {
            super(session);
        }

        @Override
        protected boolean handleUserAuthRequestMessage(ServerSession session, Buffer buffer, AtomicReference<Boolean> authHolder)
                throws Exception {
            int start = buffer.rpos();
            buffer.getString(); // user
            buffer.getString(); // service
            method = buffer.getString();
            buffer.rpos(start);
            return super.handleUserAuthRequestMessage(session, buffer, authHolder);
        }

        @Override
        protected void handleAuthenticationFailure(int cmd, Buffer buffer) throws Exception {
            ServerSession session = getServerSession();
            if (!UserAuthNoneFactory.NAME.equals(method)) {
                int failures = session.computeAttributeIfAbsent(FAILURES, key -> new AtomicInteger()).incrementAndGet();
                if (failures >= maxFailures) {
                    session.disconnect(SshConstants.SSH2_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE,
                            "Too many authentication failures");
                    return;
                }
            }
            String pending = pendingMethod.apply(session);
            reply(session, pending != null ? pending : firstFactors(session), false);
        }

        @Override
        protected void handleAuthenticationSuccess(int cmd, Buffer buffer) throws Exception {
            ServerSession session = getServerSession();
            String pending = pendingMethod.apply(session);
            if (pending == null) {
                super.handleAuthenticationSuccess(cmd, buffer);
            } else {
                reply(session, pending, true);
            }
        }

        /*
         * MINA's own answer would also drop its current method object; this one stays until the
         * next request replaces it (a stray message for it fails and counts as a failure).
         */
        private void reply(ServerSession session, String methods, boolean partialSuccess) throws IOException {
            Buffer reply = session.createBuffer(SshConstants.SSH_MSG_USERAUTH_FAILURE, methods.length() + Byte.SIZE);
            reply.putString(methods);
            reply.putBoolean(partialSuccess);
            session.writePacket(reply);
        }

        /** The methods that can start a login: all but none and keyboard-interactive (a second factor only). */
        private static String firstFactors(ServerSession session) {
            return session.getUserAuthFactories().stream().map(NamedResource::getName)
                    .filter(name -> !UserAuthNoneFactory.NAME.equals(name) && !KEYBOARD_INTERACTIVE.equals(name))
                    .collect(Collectors.joining(","));
        }
    }
}
