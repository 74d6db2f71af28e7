package dev.ferry.sftp.transport;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.future.CloseFuture;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.Handle;
import org.apache.sshd.sftp.server.SftpEventListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Graceful stop of the SFTP listener: stop accepting connections, let the transfers in progress
 * (files open for reading or writing) finish within a grace period, then let the caller close the
 * sessions. Counts the open files of each session to know when they are done.
 */
public final class GracefulStop implements SftpEventListener {

    private static final Logger log = LoggerFactory.getLogger(GracefulStop.class);
    private static final AttributeKey<AtomicInteger> OPEN_FILES = new AttributeKey<>();
    private static final long POLL_MILLIS = 100;

    @Override
    public void open(ServerSession session, String remoteHandle, Handle localHandle) {
        if (localHandle instanceof FileHandle) {
            session.computeAttributeIfAbsent(OPEN_FILES, key -> new AtomicInteger()).incrementAndGet();
        }
    }

    @Override
    public void closed(ServerSession session, String remoteHandle, Handle localHandle, Throwable thrown) {
        AtomicInteger open = session.getAttribute(OPEN_FILES);
        if (localHandle instanceof FileHandle && open != null) {
            open.decrementAndGet();
        }
    }

    public static int openFiles(ServerSession session) {
        AtomicInteger open = session.getAttribute(OPEN_FILES);
        return open == null ? 0 : Math.max(0, open.get());
    }

    /**
     * Refuses new connections on every port, then waits until no session of this instance has a
     * transfer open ({@code busySessions} counts them), or until {@code grace} has passed. Returns
     * whether every transfer finished.
     */
    public static boolean drain(List<DrainableSshServer> servers, IntSupplier busySessions, Duration grace) {
        servers.forEach(DrainableSshServer::stopAccepting);
        long deadline = System.nanoTime() + grace.toNanos();
        int busy = busySessions.getAsInt();
        if (busy > 0) {
            log.info("SFTP stopped accepting connections; waiting up to {} s for {} session(s) with transfers in progress",
                    grace.toSeconds(), busy);
        }
        while (busy > 0) {
            if (System.nanoTime() > deadline) {
                log.warn("Closing {} SFTP session(s) whose transfers did not finish within {} s", busy, grace.toSeconds());
                return false;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            busy = busySessions.getAsInt();
        }
        return true;
    }

    /**
     * Closes the sessions gracefully (pending replies, such as the status of a last CLOSE, are
     * sent first), waiting at most {@code timeout} in all; what is left is closed by the server.
     */
    public static void closeSessions(List<? extends Session> sessions, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<CloseFuture> closing = sessions.stream().map(s -> s.close(false)).toList();
        for (CloseFuture future : closing) {
            long left = deadline - System.nanoTime();
            try {
                if (left <= 0 || !future.await(Duration.ofNanos(left))) {
                    return;
                }
            } catch (java.io.IOException e) {
                return; // interrupted: the server closes what is left
            }
        }
    }
}
