package dev.ferry.sftp.session;

import java.security.PublicKey;
import java.util.List;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKey;
import org.apache.sshd.server.session.ServerSession;

/** MINA's public key method, admitting the session only after the signature is verified. */
final class AdmittingPublicKeyAuth extends UserAuthPublicKey {

    private final AccountAuthenticator authenticator;

    AdmittingPublicKeyAuth(List<NamedFactory<Signature>> signatures, AccountAuthenticator authenticator) {
        super(signatures);
        this.authenticator = authenticator;
    }

    @Override
    public Boolean doAuth(Buffer buffer, boolean init) throws Exception {
        if (!certificateAllowed(buffer)) {
            return Boolean.FALSE;
        }
        Boolean result = super.doAuth(buffer, init);
        if (Boolean.TRUE.equals(result)) {
            return authenticator.keyVerified(getServerSession());
        }
        return result;
    }

    /** Peeks at the offered key: a certificate must pass {@link CertificateCheck} before MINA sees it. */
    private boolean certificateAllowed(Buffer buffer) {
        int start = buffer.rpos();
        byte[] blob;
        try {
            buffer.getBoolean();
            buffer.getString();
            blob = buffer.getBytes();
        } catch (RuntimeException e) {
            return true; // a malformed request: MINA refuses it as before
        } finally {
            buffer.rpos(start);
        }
        if (!isCertificate(blob)) {
            return true;
        }
        PublicKey key;
        try {
            key = new ByteArrayBuffer(blob).getRawPublicKey();
        } catch (Exception | LinkageError e) {
            key = null;
        }
        if (!(key instanceof OpenSshCertificate certificate)) {
            authenticator.malformedCertificate(getUsername(), getServerSession());
            return false;
        }
        return authenticator.certificateAllowed(getUsername(), certificate, getServerSession(), this::caSignatureVerifies);
    }

    /**
     * MINA 2.20 refuses every force-command and checks source-address itself; both were decided
     * by {@link CertificateCheck} before (force-command=internal-sftp is what Ferry serves anyway).
     */
    @Override
    protected void verifyCriticalOptions(ServerSession session, OpenSshCertificate certificate) {
        // decided in certificateAllowed, which runs before every doAuth of this method
    }

    private boolean caSignatureVerifies(OpenSshCertificate certificate) {
        try {
            verifyCertificateSignature(getServerSession(), certificate);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** Whether the key blob's type names an OpenSSH certificate, e.g. ssh-ed25519-cert-v01@openssh.com. */
    private static boolean isCertificate(byte[] blob) {
        try {
            String type = new ByteArrayBuffer(blob).getString();
            return type.endsWith("-cert-v01@openssh.com");
        } catch (RuntimeException e) {
            return false;
        }
    }
}
