package dev.ferry.sftp.crypto;

import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.RequestHandler;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.global.AbstractOpenSshHostKeysHandler;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;

/**
 * Answers OpenSSH's {@code hostkeys-prove-00@openssh.com}: the client asks the server to prove it
 * holds the private halves of host keys it was told about ({@link HostKeyAdvertisement}) before it
 * adds them to known_hosts. Each proof signs {@code "hostkeys-prove-00@openssh.com", session id,
 * key blob}; RSA keys sign with the RSA algorithm negotiated in key exchange if there was one,
 * otherwise rsa-sha2-512, as OpenSSH's sshd does and its client checks.
 * <p>
 * Replaces MINA's {@code OpenSshHostKeysHandler}, which picks the key by type only (wrong when two
 * keys of one type are active), looks RSA keys up as SHA-1 {@code ssh-rsa} (which Ferry does not
 * offer) and sends raw signatures where OpenSSH expects signature blobs.
 */
public final class HostKeyProofs extends AbstractOpenSshHostKeysHandler {

    public static final String REQUEST = "hostkeys-prove-00@openssh.com";
    private static final List<String> RSA_SIGNATURES = List.of("rsa-sha2-512", "rsa-sha2-256");

    private final ServedHostKeys keys;

    public HostKeyProofs(ServedHostKeys keys) {
        super(REQUEST);
        this.keys = keys;
    }

    @Override
    protected RequestHandler.Result handleHostKeys(Session session, Collection<? extends PublicKey> requested, boolean wantReply,
            Buffer ignored) throws Exception {
        if (!wantReply) {
            return RequestHandler.Result.Replied;
        }
        Buffer reply = session.createBuffer(SshConstants.SSH_MSG_REQUEST_SUCCESS);
        for (PublicKey key : requested) {
            Optional<KeyPair> pair = keys.find(key);
            Optional<String> algorithm = signatureAlgorithm(session, key);
            if (pair.isEmpty() || algorithm.isEmpty()) {
                // Not a key this server serves on this port: OpenSSH answers failure, and the client learns nothing.
                return RequestHandler.Result.ReplyFailure;
            }
            Signature signer = NamedFactory.create(session.getSignatureFactories(), algorithm.get());
            signer.initSigner(session, pair.get().getPrivate());
            Buffer signed = new ByteArrayBuffer();
            signed.putString(REQUEST);
            signed.putBytes(session.getSessionId());
            signed.putPublicKey(key);
            signer.update(session, signed.getCompactData());
            Buffer blob = new ByteArrayBuffer();
            blob.putString(algorithm.get());
            blob.putBytes(signer.sign(session));
            reply.putBytes(blob.getCompactData());
        }
        session.writePacket(reply);
        return RequestHandler.Result.Replied;
    }

    /**
     * The signature algorithm this session's port can sign with this key, or empty when its crypto
     * policy has none (ed25519 on a FIPS port): such keys are neither advertised nor proved there.
     */
    static Optional<String> signatureAlgorithm(Session session, PublicKey key) {
        List<String> offered = NamedResource.getNameList(session.getSignatureFactories());
        String type = KeyUtils.getKeyType(key);
        if (!KeyUtils.RSA_ALGORITHM.equals(key.getAlgorithm())) {
            return offered.contains(type) ? Optional.of(type) : Optional.empty();
        }
        String negotiated = session.getNegotiatedKexParameter(KexProposalOption.SERVERKEYS);
        if (negotiated != null && RSA_SIGNATURES.contains(negotiated) && offered.contains(negotiated)) {
            return Optional.of(negotiated);
        }
        return RSA_SIGNATURES.stream().filter(offered::contains).findFirst();
    }
}
