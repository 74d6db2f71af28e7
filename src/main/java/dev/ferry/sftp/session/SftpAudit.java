package dev.ferry.sftp.session;

import dev.ferry.audit.AuditEvent;
import dev.ferry.audit.AuditLog;
import dev.ferry.audit.AuditStatus;
import dev.ferry.audit.AuditType;
import dev.ferry.sftp.status.SafeErrorMessages;
import dev.ferry.sftp.transport.ClientAddress;
import dev.ferry.storage.ObjectVersion;
import java.net.InetAddress;
import org.apache.sshd.server.session.ServerSession;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Turns what happens in SFTP sessions into audit events: who (account, key, client), from
 * where, in which session. Uploads wait for their record (see {@link #uploaded}); everything
 * else is queued and written with the next batch.
 */
@Component
public class SftpAudit {

    private final AuditLog log;
    private final boolean downloadDigests;

    /**
     * @param downloadDigests {@code sftp.audit.download-sha256}: whether downloads of whole files
     *                        record their SHA-256 (computed as the bytes pass: about as much CPU as
     *                        the rest of the download's server side)
     */
    SftpAudit(AuditLog log, @Value("${sftp.audit.download-sha256:true}") boolean downloadDigests) {
        this.log = log;
        this.downloadDigests = downloadDigests;
    }

    public boolean recordsDownloadDigests() {
        return downloadDigests;
    }

    void login(FerrySession session) {
        log.append(base(AuditType.LOGIN, session).withOutcome(AuditStatus.OK,
                session.serverSession().getAttribute(SessionAccount.KEY_FINGERPRINT) == null ? "password" : "publickey"));
    }

    void loginFailed(ServerSession session, String username, String reason) {
        InetAddress address = ClientAddress.of(session);
        log.append(AuditEvent.of(AuditType.LOGIN_FAILED)
                .withUser(username, address == null ? null : address.getHostAddress(), null)
                .withClient(session.getAttribute(SessionAccount.KEY_FINGERPRINT), session.getClientVersion())
                .withOutcome(AuditStatus.FAILED, reason));
    }

    void logout(FerrySession session) {
        long durationMs = (System.nanoTime() - session.startedNanos()) / 1_000_000;
        log.append(base(AuditType.LOGOUT, session)
                .withTransfer(session.bytesIn() + session.bytesOut(), durationMs, null)
                .withOutcome(AuditStatus.OK, "bytesIn=" + session.bytesIn() + ", bytesOut=" + session.bytesOut()));
    }

    /** Records a completed upload (detail: what else to say, or null) and returns only once the record is committed. */
    public void uploaded(FerrySession session, String path, long bytes, long durationMs, String sha256, ObjectVersion version,
            String detail) {
        AuditEvent event = base(AuditType.UPLOAD, session).withPaths(path, null).withTransfer(bytes, durationMs, sha256);
        log.appendAndWait(withVersion(detail == null ? event : event.withOutcome(AuditStatus.OK, detail), version));
    }

    public void uploadFailed(FerrySession session, String path, long bytes, long durationMs, String reason) {
        log.append(base(AuditType.UPLOAD, session).withPaths(path, null).withTransfer(bytes, durationMs, null)
                .withOutcome(AuditStatus.FAILED, reason));
    }

    /** Records an upload refused for the quota: its one record, typed so that rules and searches find it. */
    public void quotaExceeded(FerrySession session, String path, long bytes, long durationMs, String reason) {
        log.append(base(AuditType.QUOTA_EXCEEDED, session).withPaths(path, null).withTransfer(bytes, durationMs, null)
                .withOutcome(AuditStatus.DENIED, reason));
    }

    public void downloaded(FerrySession session, String path, long bytes, long durationMs, String sha256, String detail,
            ObjectVersion version) {
        log.append(withVersion(base(AuditType.DOWNLOAD, session).withPaths(path, null).withTransfer(bytes, durationMs, sha256)
                .withOutcome(AuditStatus.OK, detail), version));
    }

    private static AuditEvent withVersion(AuditEvent event, ObjectVersion version) {
        return version == null ? event : event.withObject(version.etag(), version.versionId());
    }

    public void operation(FerrySession session, AuditType type, String path, String target, Throwable failure, String detail) {
        log.append(base(type, session).withPaths(path, target)
                .withOutcome(failure == null ? AuditStatus.OK : AuditStatus.FAILED, failure == null ? detail : SafeErrorMessages.describe(failure)));
    }

    public void denied(FerrySession session, String path, String reason) {
        log.append(base(AuditType.DENIED, session).withPaths(path, null).withOutcome(AuditStatus.DENIED, reason));
    }

    private static AuditEvent base(AuditType type, FerrySession session) {
        InetAddress address = ClientAddress.of(session.serverSession());
        return AuditEvent.of(type)
                .withUser(session.account().username(), address == null ? null : address.getHostAddress(), session.id())
                .withClient(session.serverSession().getAttribute(SessionAccount.KEY_FINGERPRINT), session.serverSession().getClientVersion());
    }
}
