package dev.ferry.usercas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.shared.InvalidInputException;
import dev.ferry.testsupport.ExternalCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KRLs written by OpenSSH's ssh-keygen, read by {@link Krl}, and every verdict compared with
 * {@code ssh-keygen -Q} (OpenSSH's own reading) for the same keys and certificates: serial lists,
 * ranges and bitmaps, key ids, explicit keys, SHA1 and SHA256 hashes, CA keys and updated KRLs.
 */
class KrlTest {

    @TempDir
    static Path dir;

    /** Every key and certificate asked about, by file name. */
    static final Map<String, String> SUBJECTS = new LinkedHashMap<>();

    @BeforeAll
    static void keysAndCertificates() {
        for (String key : List.of("ca1", "ca2", "p1", "p2", "p3", "p4", "u1", "u2", "u3", "u4", "u5", "u6", "u7")) {
            keygen("-t", "ed25519", "-N", "", "-C", key, "-f", key);
        }
        sign("u1", "ca1", "5", "alice");
        sign("u2", "ca1", "15", "bob");
        sign("u3", "ca1", "1003", "carol");
        sign("u4", "ca1", "77", "stolen-laptop");
        sign("u5", "ca2", "5", "dave");
        sign("u6", "ca1", "18446744073709551614", "erin");
        sign("u7", "ca1", "1004", "frank");
        for (String plain : List.of("p1", "p2", "p3", "p4", "u1")) {
            SUBJECTS.put(plain, plain + ".pub");
        }
        for (String cert : List.of("u1", "u2", "u3", "u4", "u5", "u6", "u7")) {
            SUBJECTS.put(cert + "-cert", cert + "-cert.pub");
        }
    }

    @Test
    void serialListRangeAndKeyIdOfOneCa() {
        assertSameVerdictsAsOpenSsh(krl("serials", "ca1.pub", "serial: 5\nserial: 10-20\nid: stolen-laptop\n"));
    }

    @Test
    void serialBitmap() {
        StringBuilder spec = new StringBuilder();
        for (int serial = 1000; serial < 1200; serial += 3) {
            spec.append("serial: ").append(serial).append('\n');
        }
        spec.append("serial: 18446744073709551614\n");
        byte[] krl = krl("bitmap", "ca1.pub", spec.toString());
        assertThat(Krl.parse(krl).contents().serialRules()).isGreaterThan(0);
        assertSameVerdictsAsOpenSsh(krl);
    }

    @Test
    void explicitKeysAndHashes() {
        String spec = "key: " + read("p1.pub") + "\nsha1: " + read("p2.pub") + "\nsha256: " + read("p3.pub")
                + "\nhash: " + fingerprint("p4.pub") + "\n";
        Krl parsed = Krl.parse(assertSameVerdictsAsOpenSsh(krl("keys", null, spec)));
        assertThat(parsed.contents().keys()).isEqualTo(1);
        assertThat(parsed.contents().fingerprints()).isEqualTo(3);
    }

    @Test
    void aRevokedKeyRevokesItsCertificatesAndARevokedCaKeyAllOfItsCertificates() {
        assertSameVerdictsAsOpenSsh(krl("certkeys", null, "key: " + read("u1.pub") + "\nkey: " + read("ca2.pub") + "\n"));
    }

    @Test
    void anUpdatedKrlKeepsWhatItRevokedAndAddsTheNew() {
        Path file = dir.resolve("updated.krl");
        write("updated-1.spec", "serial: 15\n");
        keygen("-k", "-f", file.toString(), "-s", "ca1.pub", "-z", "1", "updated-1.spec");
        write("updated-2.spec", "id: frank\n");
        keygen("-k", "-u", "-f", file.toString(), "-s", "ca1.pub", "-z", "2", "updated-2.spec");
        byte[] krl = bytes(file);
        assertThat(Krl.parse(krl).version()).isEqualTo(2);
        assertSameVerdictsAsOpenSsh(krl);
    }

    @Test
    void aTruncatedKrlIsRefusedWithAReasonAtEveryLength() {
        byte[] krl = krl("truncated", "ca1.pub", "serial: 5\nserial: 10-20\nid: stolen-laptop\n");
        List<Integer> accepted = new ArrayList<>();
        for (int length = 0; length < krl.length; length++) {
            try {
                Krl.parse(Arrays.copyOf(krl, length));
                accepted.add(length);
            } catch (InvalidInputException refused) {
                assertThat(refused.getMessage()).as("first %d bytes", length).containsAnyOf("empty", "not an OpenSSH KRL", "truncated");
            }
        }
        // Only the header alone is a KRL (one that revokes nothing): the one certificate section is all or nothing.
        assertThat(accepted).hasSize(1);
        assertThat(Krl.parse(Arrays.copyOf(krl, accepted.get(0))).contents().certificateSections()).isZero();
        byte[] notAKrl = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI not a krl".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Krl.parse(notAKrl)).hasMessageContaining("not an OpenSSH KRL");
    }

    @Test
    void unknownSectionsAndCriticalExtensionsRefuseTheKrlNonCriticalOnesAreSkipped() {
        byte[] krl = krl("extended", "ca1.pub", "serial: 5\n");
        assertThatThrownBy(() -> Krl.parse(withSection(krl, 9, new byte[0])))
                .hasMessageContaining("section of type 9");
        assertThatThrownBy(() -> Krl.parse(withSection(krl, 255, extension("x@example.com", true))))
                .hasMessageContaining("critical extension 'x@example.com'");
        Krl lenient = Krl.parse(withSection(krl, 255, extension("x@example.com", false)));
        assertThat(lenient.contents().serialRules()).isEqualTo(1);
    }

    @Test
    void aSectionForEveryCaRevokesKeyIdsOfAnyCa() {
        // ssh-keygen 9 writes these only from a KRL that names no CA key; built here as PROTOCOL.krl says.
        ByteArrayBuffer ids = new ByteArrayBuffer();
        ids.putString("dave");
        ByteArrayBuffer section = new ByteArrayBuffer();
        section.putBytes(new byte[0]);
        section.putBytes(new byte[0]);
        section.putByte((byte) 0x23);
        section.putBytes(ids.getCompactData());
        Krl krl = Krl.parse(withSection(krl("wildcard", null, "key: " + read("p1.pub") + "\n"), 1, section.getCompactData()));
        assertThat(verdict(krl, "u5-cert.pub")).contains("the KRL revokes its key id");
        assertThat(verdict(krl, "u2-cert.pub")).isEmpty();
    }

    // ---- helpers ------------------------------------------------------------------------

    /** Asks Ferry's reading and ssh-keygen -Q about every subject; both must agree, and the KRL must revoke some and not all. */
    private static byte[] assertSameVerdictsAsOpenSsh(byte[] data) {
        Krl krl = Krl.parse(data);
        Path file = dir.resolve("checked.krl");
        try {
            Files.write(file, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int revoked = 0;
        for (Map.Entry<String, String> subject : SUBJECTS.entrySet()) {
            ExternalCommand.Result query = ExternalCommand.run(dir, List.of("ssh-keygen", "-Q", "-f", file.toString(), subject.getValue()), "");
            assertThat(query.exitCode()).as(query.output()).isIn(0, 1);
            boolean openSsh = query.exitCode() == 1;
            Optional<String> ferry = verdict(krl, subject.getValue());
            assertThat(ferry.isPresent()).as("%s: ssh-keygen -Q says %s, Ferry %s", subject.getKey(), query.output().strip(), ferry)
                    .isEqualTo(openSsh);
            revoked += openSsh ? 1 : 0;
        }
        assertThat(revoked).as("the KRL revokes some subjects, not all").isBetween(1, SUBJECTS.size() - 1);
        return data;
    }

    private static Optional<String> verdict(Krl krl, String file) {
        PublicKey key = publicKey(read(file));
        if (key instanceof OpenSshCertificate cert) {
            return krl.revokesCertificate(blob(cert.getCertPubKey()), blob(cert.getCaPubKey()), cert.getSerial(), cert.getId());
        }
        return krl.revokesKey(blob(key));
    }

    private static byte[] krl(String name, String ca, String spec) {
        write(name + ".spec", spec);
        List<String> args = new ArrayList<>(List.of("-k", "-f", name + ".krl"));
        if (ca != null) {
            args.addAll(List.of("-s", ca));
        }
        args.add(name + ".spec");
        keygen(args.toArray(String[]::new));
        return bytes(dir.resolve(name + ".krl"));
    }

    private static byte[] withSection(byte[] krl, int type, byte[] data) {
        ByteArrayBuffer buffer = new ByteArrayBuffer();
        buffer.putRawBytes(krl);
        buffer.putByte((byte) type);
        buffer.putBytes(data);
        return buffer.getCompactData();
    }

    private static byte[] extension(String name, boolean critical) {
        ByteArrayBuffer buffer = new ByteArrayBuffer();
        buffer.putString(name);
        buffer.putBoolean(critical);
        buffer.putBytes(new byte[0]);
        return buffer.getCompactData();
    }

    private static void sign(String key, String ca, String serial, String keyId) {
        keygen("-s", ca, "-I", keyId, "-n", key, "-z", serial, key + ".pub");
    }

    private static String fingerprint(String file) {
        ExternalCommand.Result result = ExternalCommand.run(dir, List.of("ssh-keygen", "-l", "-E", "sha256", "-f", file), "");
        assertThat(result.exitCode()).as(result.output()).isZero();
        return result.output().split("\\s+")[1];
    }

    private static PublicKey publicKey(String line) {
        try {
            return PublicKeyEntry.parsePublicKeyEntry(line).resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.FAILING);
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException(line, e);
        }
    }

    private static byte[] blob(PublicKey key) {
        ByteArrayBuffer buffer = new ByteArrayBuffer();
        buffer.putRawPublicKey(key);
        return buffer.getCompactData();
    }

    private static void keygen(String... args) {
        List<String> command = new ArrayList<>(List.of("ssh-keygen", "-q"));
        command.addAll(List.of(args));
        ExternalCommand.Result result = ExternalCommand.run(dir, command, "");
        assertThat(result.exitCode()).as(String.join(" ", command) + "\n" + result.output()).isZero();
    }

    private static String read(String file) {
        return new String(bytes(dir.resolve(file)), StandardCharsets.UTF_8).strip();
    }

    private static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(String file, String text) {
        try {
            Files.writeString(dir.resolve(file), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
