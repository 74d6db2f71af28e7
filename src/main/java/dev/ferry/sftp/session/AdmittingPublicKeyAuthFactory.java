package dev.ferry.sftp.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.signature.BuiltinSignatures;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKey;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.server.session.ServerSession;

/** Makes {@link AdmittingPublicKeyAuth}, Ferry's public key method, for each session. */
public final class AdmittingPublicKeyAuthFactory extends UserAuthPublicKeyFactory {

    private final AccountAuthenticator authenticator;

    public AdmittingPublicKeyAuthFactory(AccountAuthenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public UserAuthPublicKey createUserAuth(ServerSession session) {
        return new AdmittingPublicKeyAuth(withCertificates(session.getSignatureFactories()), authenticator);
    }

    /**
     * The session's signature algorithms (the crypto policy) and their certificate forms, which a
     * client names when it signs with a certificate's key (ssh-ed25519-cert-v01@openssh.com);
     * they stay out of the session's own list, which also decides the host key algorithms.
     */
    static List<NamedFactory<Signature>> withCertificates(List<NamedFactory<Signature>> policy) {
        List<NamedFactory<Signature>> all = new ArrayList<>(policy);
        for (NamedFactory<Signature> factory : policy) {
            BuiltinSignatures certificate = CERTIFICATE_FORMS.get(BuiltinSignatures.fromFactory(factory));
            if (certificate != null && !all.contains(certificate)) {
                all.add(certificate);
            }
        }
        return List.copyOf(all);
    }

    private static final Map<BuiltinSignatures, BuiltinSignatures> CERTIFICATE_FORMS = Map.of(
            BuiltinSignatures.ed25519, BuiltinSignatures.ed25519_cert,
            BuiltinSignatures.rsaSHA512, BuiltinSignatures.rsaSHA512_cert,
            BuiltinSignatures.rsaSHA256, BuiltinSignatures.rsaSHA256_cert,
            BuiltinSignatures.nistp256, BuiltinSignatures.nistp256_cert,
            BuiltinSignatures.nistp384, BuiltinSignatures.nistp384_cert,
            BuiltinSignatures.nistp521, BuiltinSignatures.nistp521_cert);
}
