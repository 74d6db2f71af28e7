package dev.ferry.sftp.transport;

import java.time.Duration;
import java.util.List;
import java.util.function.IntSupplier;
import org.apache.sshd.common.future.CloseFuture;
import org.apache.sshd.common.session.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Graceful stop of the SFTP listeners: stop accepting connections, let the transfers in progress
 * (files open for reading or writing) finish within a grace period, then close the sessions.
 */
public final class GracefulStop {

    private static final Logger log = LoggerFactory.getLogger(GracefulStop.class);
    private static final long POLL_MILLIS = 100;

    private GracefulStop() {
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
