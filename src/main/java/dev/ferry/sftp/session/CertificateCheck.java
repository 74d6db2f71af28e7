package dev.ferry.sftp.session;

import dev.ferry.access.IpAllowList;
import dev.ferry.usercas.CaTrust;
import dev.ferry.usercas.UserCas;
import dev.ferry.users.SshPublicKey;
import java.net.InetAddress;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;

/**
 * Whether an OpenSSH user certificate may log in as a user, as sshd decides it for
 * {@code TrustedUserCAKeys}: a user certificate from a trusted CA with a valid signature, valid
 * now, naming the user among its principals, not revoked (through the API or by the uploaded KRL), and with no critical option Ferry
 * cannot honour. MINA checks type, validity and signature too, but silently; checking here first
 * lets every refusal be audited with its reason.
 */
final class CertificateCheck {

    /** Verifies the CA's signature over the certificate (MINA's own verifier, see AccountAuthenticator). */
    interface CaSignature {
        boolean verifies(OpenSshCertificate certificate);
    }

    /** A refusal with its reason, or an accepted certificate with the CA that signed it. */
    record Outcome(String refusal, CaTrust ca) {

        static Outcome refused(String reason) {
            return new Outcome(reason, null);
        }
    }

    private final UserCas cas;
    private final Clock clock;

    CertificateCheck(UserCas cas, Clock clock) {
        this.cas = cas;
        this.clock = clock;
    }

    Outcome check(OpenSshCertificate cert, String username, InetAddress client, CaSignature signature) {
        if (cert.getType() != OpenSshCertificate.Type.USER) {
            return Outcome.refused("certificate " + describe(cert) + " is a host certificate, not a user certificate");
        }
        Optional<CaTrust> trust = cas.trust(fingerprint(cert), cert.getSerial(), cert.getId());
        if (trust.isEmpty()) {
            return Outcome.refused("certificate " + describe(cert) + " is signed by a CA that is not trusted (" + fingerprint(cert) + ")");
        }
        CaTrust ca = trust.get();
        if (!signature.verifies(cert)) {
            return Outcome.refused("certificate " + describe(cert) + " does not carry a valid signature of CA " + ca.caName());
        }
        Instant now = clock.instant();
        if (Long.compareUnsigned(epochSecond(now), cert.getValidAfter()) < 0) {
            return Outcome.refused("certificate " + describe(cert) + " is not yet valid (valid after " + time(cert.getValidAfter()) + ")");
        }
        if (Long.compareUnsigned(epochSecond(now), cert.getValidBefore()) >= 0) {
            return Outcome.refused("certificate " + describe(cert) + " expired at " + time(cert.getValidBefore()));
        }
        if (cert.getPrincipals() == null || cert.getPrincipals().isEmpty()) {
            return Outcome.refused("certificate " + describe(cert) + " names no principals");
        }
        // Ferry's usernames are case-insensitive: "Alice" and "alice" are one account.
        if (cert.getPrincipals().stream().noneMatch(username::equalsIgnoreCase)) {
            return Outcome.refused("certificate " + describe(cert) + " is not valid for user " + username + " (not among its principals)");
        }
        if (ca.revoked()) {
            return Outcome.refused("certificate " + describe(cert) + " of CA " + ca.caName() + " is revoked (" + ca.revokedBy() + ")");
        }
        Optional<String> krl = cas.krlRevokesCertificate(blob(cert.getCertPubKey()), blob(cert.getCaPubKey()),
                cert.getSerial(), cert.getId());
        if (krl.isPresent()) {
            return Outcome.refused("certificate " + describe(cert) + " of CA " + ca.caName() + " is revoked: " + krl.get());
        }
        String option = refusedOption(cert, client);
        if (option != null) {
            return Outcome.refused("certificate " + describe(cert) + " " + option);
        }
        return new Outcome(null, ca);
    }

    /** Why a critical option forbids this login, or null. Unknown critical options refuse, as in OpenSSH. */
    private static String refusedOption(OpenSshCertificate cert, InetAddress client) {
        for (OpenSshCertificate.CertificateOption option : cert.getCriticalOptions()) {
            String name = option.getName();
            String data = option.getData() == null ? "" : option.getData();
            switch (name) {
                case OpenSshCertificate.SOURCE_ADDRESS -> {
                    List<String> allowed = Arrays.stream(data.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
                    IpAllowList list;
                    try {
                        list = IpAllowList.of(allowed);
                    } catch (IllegalArgumentException e) {
                        return "has a malformed source-address option";
                    }
                    if (list.isEmpty() || client == null || !list.allows(client)) {
                        return "may not be used from " + (client == null ? "an unknown address" : client.getHostAddress())
                                + " (source-address " + AuditSafe.text(data) + ")";
                    }
                }
                case OpenSshCertificate.FORCE_COMMAND -> {
                    if (!data.strip().equals("internal-sftp")) {
                        return "forces the command '" + AuditSafe.text(data) + "': Ferry serves SFTP only (internal-sftp)";
                    }
                }
                default -> {
                    return "has the critical option '" + AuditSafe.text(name) + "', which Ferry does not support";
                }
            }
        }
        return null;
    }

    /** SHA256 fingerprint of the CA key that signed the certificate, as ssh-keygen -l prints it. */
    static String fingerprint(OpenSshCertificate cert) {
        return SshPublicKey.fingerprintOf(blob(cert.getCaPubKey()));
    }

    /** A plain public key's SSH wire blob. */
    static byte[] blob(PublicKey key) {
        ByteArrayBuffer buffer = new ByteArrayBuffer();
        buffer.putRawPublicKey(key);
        return buffer.getCompactData();
    }

    static String describe(OpenSshCertificate cert) {
        return "'" + AuditSafe.text(cert.getId()) + "' (serial " + Long.toUnsignedString(cert.getSerial()) + ")";
    }

    private static long epochSecond(Instant now) {
        return now.getEpochSecond();
    }

    private static String time(long epochSeconds) {
        return epochSeconds < 0 ? "forever" : Instant.ofEpochSecond(epochSeconds).toString();
    }

    /** Text from a certificate, shortened and with control characters shown as '?', for logs and audit. */
    static final class AuditSafe {
        private AuditSafe() {
        }

        static String text(String s) {
            if (s == null) {
                return "";
            }
            String printable = s.replaceAll("[\\p{Cntrl}]", "?");
            return printable.length() > 80 ? printable.substring(0, 80) + "..." : printable;
        }
    }
}
