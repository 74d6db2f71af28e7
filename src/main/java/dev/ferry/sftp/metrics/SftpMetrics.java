package dev.ferry.sftp.metrics;

import dev.ferry.sftp.session.FerrySession;
import dev.ferry.sftp.session.LocalSessions;
import dev.ferry.sftp.session.SessionAccount;
import dev.ferry.sftp.status.QuotaDenied;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.file.CopyOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.server.DirectoryHandle;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.Handle;
import org.apache.sshd.sftp.server.SftpErrorStatusDataHandler;
import org.apache.sshd.sftp.server.SftpEventListener;
import org.apache.sshd.sftp.server.SftpSubsystemEnvironment;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;

/**
 * Prometheus metrics of the SFTP listener (names as Prometheus shows them):
 * <ul>
 * <li>{@code ferry_sftp_sessions}: authenticated SFTP sessions on this instance;</li>
 * <li>{@code ferry_sftp_logins_total{outcome="success|failure"}}: one per SSH connection that got
 * as far as authenticating: success when it authenticated (whatever it tried first), failure when
 * it closed without;</li>
 * <li>{@code ferry_sftp_transferred_bytes_total{direction="in|out"}}: SFTP payload bytes;</li>
 * <li>{@code ferry_sftp_operations_seconds{op,outcome}}: latency per operation (open, read, write,
 * close, readdir, remove, rename, mkdir, setstat, link), with histogram buckets;</li>
 * <li>{@code ferry_sftp_errors_total{op,kind}}: every error status sent, by request and SFTP status;</li>
 * <li>{@code ferry_sftp_quota_denials_total}: uploads refused by a quota (at OPEN, or discarded at CLOSE).</li>
 * </ul>
 * It also puts {@code username} and {@code sessionId} in the MDC of the thread that serves an SFTP
 * channel, so every log line written while handling its requests names them.
 *
 * <p>The SFTP subsystem serves one channel's requests in order on one thread, so a "-ing" callback
 * and its "-ed" counterpart run on the same thread and a thread-local start time is enough: no
 * {@code Timer.Sample} is made per request, as READ and WRITE are timed on every packet. The timers
 * come from one {@code MeterProvider}, resolved once per operation and outcome and then kept in an
 * array by operation, so a packet neither allocates nor looks a meter up. A request refused by a
 * "-ing" veto (a permission) has no "-ed" callback: it is counted as an error through
 * {@link #countingErrors}, not as an operation. Quota denials are the refusals of type
 * {@link QuotaDenied}.
 */
@Component
public class SftpMetrics implements SftpEventListener, SessionListener {

    static final String MDC_USERNAME = "username";
    static final String MDC_SESSION = "sessionId";

    /** FALSE once the session's keys are set (it may authenticate), TRUE once it has. */
    private static final AttributeKey<Boolean> LOGIN = new AttributeKey<>();
    private static final Duration[] LATENCY_BUCKETS = {
        Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    /** The operations timed, by the name of their {@code op} tag. */
    private enum Op {
        OPEN, OPENDIR, READDIR, READ, WRITE, CLOSE, CLOSEDIR, MKDIR, RENAME, RMDIR, REMOVE, SYMLINK, LINK, SETSTAT;

        final String tag = name().toLowerCase(Locale.ROOT);
    }

    private final MeterRegistry registry;
    private final Counter loginSuccess;
    private final Counter loginFailure;
    private final Counter bytesIn;
    private final Counter bytesOut;
    private final Counter quotaDenials;
    private final Meter.MeterProvider<Timer> operations;
    private final Meter.MeterProvider<Counter> errors;
    /** The timers in use: two per operation, outcome ok then error; null until first used. */
    private final AtomicReferenceArray<Timer> timers = new AtomicReferenceArray<>(Op.values().length * 2);
    private final ThreadLocal<long[]> started = ThreadLocal.withInitial(() -> new long[1]);

    SftpMetrics(MeterRegistry registry, LocalSessions sessions) {
        this.registry = registry;
        operations = Timer.builder("ferry.sftp.operations").description("Latency of SFTP operations on storage")
                .serviceLevelObjectives(LATENCY_BUCKETS).withRegistry(registry);
        errors = Counter.builder("ferry.sftp.errors").description("Error statuses sent to SFTP clients, by request and status")
                .withRegistry(registry);
        Gauge.builder("ferry.sftp.sessions", sessions, LocalSessions::count)
                .description("Authenticated SFTP sessions on this instance").register(registry);
        loginSuccess = logins("success");
        loginFailure = logins("failure");
        bytesIn = transferred("in");
        bytesOut = transferred("out");
        quotaDenials = Counter.builder("ferry.sftp.quota.denials")
                .description("SFTP requests refused because they would exceed a quota").register(registry);
    }

    private Counter logins(String outcome) {
        return Counter.builder("ferry.sftp.logins").tag("outcome", outcome)
                .description("SFTP connections that authenticated (success) or closed without authenticating (failure)")
                .register(registry);
    }

    private Counter transferred(String direction) {
        return Counter.builder("ferry.sftp.transferred").baseUnit("bytes").tag("direction", direction)
                .description("SFTP payload bytes received (in) and sent (out)").register(registry);
    }

    // ---- logins (MINA session listener) ---------------------------------------------------------

    @Override
    public void sessionEvent(Session session, Event event) {
        if (event == Event.KeyEstablished && session.getAttribute(LOGIN) == null) { // not on re-keying
            session.setAttribute(LOGIN, Boolean.FALSE);
        } else if (event == Event.Authenticated && !Boolean.TRUE.equals(session.getAttribute(LOGIN))) {
            session.setAttribute(LOGIN, Boolean.TRUE);
            loginSuccess.increment();
        }
    }

    @Override
    public void sessionClosed(Session session) {
        // A connection that closes before the keys are set (a TCP health check of a load balancer,
        // ssh-keyscan) never got to authenticate: it is no login.
        if (Boolean.FALSE.equals(session.getAttribute(LOGIN))) {
            loginFailure.increment();
        }
    }

    // ---- log context ----------------------------------------------------------------------------

    @Override
    public void initialized(ServerSession session, int version) {
        putMdc(session);
    }

    @Override
    public void received(ServerSession session, int type, int id) {
        if (MDC.get(MDC_SESSION) == null) {
            putMdc(session);
        }
    }

    @Override
    public void destroying(ServerSession session) {
        MDC.remove(MDC_USERNAME);
        MDC.remove(MDC_SESSION);
    }

    private static void putMdc(ServerSession session) {
        FerrySession ferry = session.getAttribute(SessionAccount.FERRY_SESSION);
        if (ferry != null) {
            MDC.put(MDC_USERNAME, ferry.account().username());
            MDC.put(MDC_SESSION, ferry.id());
        }
    }

    // ---- operations -----------------------------------------------------------------------------

    private void start() {
        started.get()[0] = System.nanoTime();
    }

    private void stop(Op op, Throwable thrown) {
        long elapsed = System.nanoTime() - started.get()[0];
        int slot = op.ordinal() * 2 + (thrown == null ? 0 : 1);
        Timer timer = timers.get(slot);
        if (timer == null) {
            timer = operations.withTags("op", op.tag, "outcome", thrown == null ? "ok" : "error");
            timers.set(slot, timer);
        }
        timer.record(elapsed, TimeUnit.NANOSECONDS);
    }

    @Override
    public void opening(ServerSession session, String remoteHandle, Handle localHandle) {
        start();
    }

    @Override
    public void open(ServerSession session, String remoteHandle, Handle localHandle) {
        stop(localHandle instanceof DirectoryHandle ? Op.OPENDIR : Op.OPEN, null);
    }

    @Override
    public void openFailed(ServerSession session, String remotePath, Path localPath, boolean isDirectory, Throwable thrown) {
        stop(isDirectory ? Op.OPENDIR : Op.OPEN, thrown);
    }

    @Override
    public void readingEntries(ServerSession session, String remoteHandle, DirectoryHandle localHandle) {
        start();
    }

    @Override
    public void readEntries(ServerSession session, String remoteHandle, DirectoryHandle localHandle, Map<String, Path> entries) {
        stop(Op.READDIR, null);
    }

    @Override
    public void reading(ServerSession session, String remoteHandle, FileHandle localHandle, long offset, byte[] data,
            int dataOffset, int dataLen) {
        start();
    }

    @Override
    public void read(ServerSession session, String remoteHandle, FileHandle localHandle, long offset, byte[] data,
            int dataOffset, int dataLen, int readLen, Throwable thrown) {
        stop(Op.READ, thrown);
        if (readLen > 0) {
            bytesOut.increment(readLen);
        }
    }

    @Override
    public void writing(ServerSession session, String remoteHandle, FileHandle localHandle, long offset, byte[] data,
            int dataOffset, int dataLen) {
        start();
    }

    @Override
    public void written(ServerSession session, String remoteHandle, FileHandle localHandle, long offset, byte[] data,
            int dataOffset, int dataLen, Throwable thrown) {
        stop(Op.WRITE, thrown);
        if (thrown == null) {
            bytesIn.increment(dataLen);
        }
    }

    @Override
    public void closing(ServerSession session, String remoteHandle, Handle localHandle) {
        start();
    }

    @Override
    public void closed(ServerSession session, String remoteHandle, Handle localHandle, Throwable thrown) {
        stop(localHandle instanceof DirectoryHandle ? Op.CLOSEDIR : Op.CLOSE, thrown);
    }

    @Override
    public void creating(ServerSession session, Path path, Map<String, ?> attrs) {
        start();
    }

    @Override
    public void created(ServerSession session, Path path, Map<String, ?> attrs, Throwable thrown) {
        stop(Op.MKDIR, thrown);
    }

    @Override
    public void moving(ServerSession session, Path srcPath, Path dstPath, Collection<CopyOption> opts) {
        start();
    }

    @Override
    public void moved(ServerSession session, Path srcPath, Path dstPath, Collection<CopyOption> opts, Throwable thrown) {
        stop(Op.RENAME, thrown);
    }

    @Override
    public void removing(ServerSession session, Path path, boolean isDirectory) {
        start();
    }

    @Override
    public void removed(ServerSession session, Path path, boolean isDirectory, Throwable thrown) {
        stop(isDirectory ? Op.RMDIR : Op.REMOVE, thrown);
    }

    @Override
    public void linking(ServerSession session, Path source, Path target, boolean symLink) {
        start();
    }

    @Override
    public void linked(ServerSession session, Path source, Path target, boolean symLink, Throwable thrown) {
        stop(symLink ? Op.SYMLINK : Op.LINK, thrown);
    }

    @Override
    public void modifyingAttributes(ServerSession session, Path path, Map<String, ?> attrs) {
        start();
    }

    @Override
    public void modifiedAttributes(ServerSession session, Path path, Map<String, ?> attrs, Throwable thrown) {
        stop(Op.SETSTAT, thrown);
    }

    // ---- errors ---------------------------------------------------------------------------------

    /** Wraps the subsystem's error handler: every error status it resolves is counted by kind. */
    public SftpErrorStatusDataHandler countingErrors(SftpErrorStatusDataHandler delegate) {
        return new SftpErrorStatusDataHandler() {
            @Override
            public int resolveSubStatus(SftpSubsystemEnvironment subsystem, int id, Throwable e, int cmd, Object... args) {
                return delegate.resolveSubStatus(subsystem, id, e, cmd, args);
            }

            @Override
            public String resolveErrorMessage(SftpSubsystemEnvironment subsystem, int id, Throwable e, int subStatus,
                    int cmd, Object... args) {
                error(cmd, subStatus, e);
                return delegate.resolveErrorMessage(subsystem, id, e, subStatus, cmd, args);
            }

            @Override
            public String resolveErrorLanguage(SftpSubsystemEnvironment subsystem, int id, Throwable e, int subStatus,
                    int cmd, Object... args) {
                return delegate.resolveErrorLanguage(subsystem, id, e, subStatus, cmd, args);
            }
        };
    }

    private void error(int cmd, int subStatus, Throwable e) {
        if (subStatus == SftpConstants.SSH_FX_OK || subStatus == SftpConstants.SSH_FX_EOF) {
            return; // the end of a file or a listing is a normal answer
        }
        String op = name(SftpConstants.getCommandMessageName(cmd), "SSH_FXP_");
        String kind = name(SftpConstants.getStatusName(subStatus), "SSH_FX_");
        errors.withTags("op", op, "kind", kind).increment();
        // A refused upload fails every WRITE after the first refusal too: count it at OPEN or CLOSE.
        boolean openOrClose = cmd == SftpConstants.SSH_FXP_OPEN || cmd == SftpConstants.SSH_FXP_CLOSE;
        if (openOrClose && e instanceof QuotaDenied) {
            quotaDenials.increment();
        }
    }

    private static String name(String constant, String prefix) {
        String name = constant.startsWith(prefix) ? constant.substring(prefix.length()) : constant;
        return name.toLowerCase(Locale.ROOT);
    }
}
