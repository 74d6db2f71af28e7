package dev.ferry.usercas;

import dev.ferry.shared.InvalidInputException;
import dev.ferry.shared.Sha256;
import java.math.BigInteger;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An OpenSSH key revocation list (the file {@code ssh-keygen -k} writes and sshd reads as
 * {@code RevokedKeys}), parsed once and asked at every login. It answers as sshd does: a plain key
 * is revoked when listed (explicitly or by its SHA1 or SHA256 fingerprint); a certificate when its
 * key is, when its CA key is, or when a section of its CA (or of any CA) lists its serial (singly,
 * in a range or in a bitmap) or its key id.
 * <p>
 * Hand-written because no Java library reads KRLs (MINA SSHD has no support); it follows OpenSSH's
 * PROTOCOL.krl and reads the SSH wire format (RFC 4251 types) from a {@link ByteBuffer}, whose
 * reads check bounds (MINA's buffer would do too, but MINA stays inside the sftp adapter). Signature sections are skipped: the KRL reaches
 * Ferry through the authenticated admin API, which PROTOCOL.krl counts as a trusted channel, and sshd
 * does not check them either. Unknown sections and critical extensions refuse the whole file, as
 * sshd refuses to start with one, so nothing is silently left unrevoked.
 */
public final class Krl {

    private static final long MAGIC = 0x5353484b524c0a00L;
    private static final int FORMAT_VERSION = 1;
    private static final int CERTIFICATES = 1;
    private static final int EXPLICIT_KEY = 2;
    private static final int FINGERPRINT_SHA1 = 3;
    private static final int SIGNATURE = 4;
    private static final int FINGERPRINT_SHA256 = 5;
    private static final int EXTENSION = 255;
    private static final int CERT_SERIAL_LIST = 0x20;
    private static final int CERT_SERIAL_RANGE = 0x21;
    private static final int CERT_SERIAL_BITMAP = 0x22;
    private static final int CERT_KEY_ID = 0x23;
    private static final int CERT_EXTENSION = 0x39;
    /** A bitmap of more serials than this is refused: it would take more memory than any real KRL needs. */
    private static final int MAX_BITMAP_BITS = 1 << 24;

    /** What one certificate section revokes: the CA it applies to (null for every CA) and its rules. */
    private record CertificateRules(ByteBuffer caKey, List<long[]> serialRanges, List<BitmapRule> bitmaps, Set<String> keyIds) {

        boolean appliesTo(byte[] ca) {
            return caKey == null || caKey.equals(ByteBuffer.wrap(ca));
        }

        String revokes(long serial, String keyId) {
            for (long[] range : serialRanges) {
                if (Long.compareUnsigned(serial, range[0]) >= 0 && Long.compareUnsigned(serial, range[1]) <= 0) {
                    return "serial " + Long.toUnsignedString(serial);
                }
            }
            for (BitmapRule bitmap : bitmaps) {
                if (bitmap.has(serial)) {
                    return "serial " + Long.toUnsignedString(serial);
                }
            }
            return keyId != null && keyIds.contains(keyId) ? "key id" : null;
        }
    }

    /** Serials {@code offset + n} for every bit n set in {@code bits}. */
    private record BitmapRule(long offset, BigInteger bits) {

        boolean has(long serial) {
            long index = serial - offset;
            return Long.compareUnsigned(serial, offset) >= 0 && Long.compareUnsigned(index, bits.bitLength()) < 0
                    && bits.testBit((int) index);
        }
    }

    private final long version;
    private final Instant generatedAt;
    private final String comment;
    private final List<CertificateRules> certificates;
    private final Set<ByteBuffer> keys;
    private final Set<ByteBuffer> sha1Fingerprints;
    private final Set<ByteBuffer> sha256Fingerprints;

    private Krl(long version, Instant generatedAt, String comment, List<CertificateRules> certificates, Set<ByteBuffer> keys,
            Set<ByteBuffer> sha1Fingerprints, Set<ByteBuffer> sha256Fingerprints) {
        this.version = version;
        this.generatedAt = generatedAt;
        this.comment = comment;
        this.certificates = certificates;
        this.keys = keys;
        this.sha1Fingerprints = sha1Fingerprints;
        this.sha256Fingerprints = sha256Fingerprints;
    }

    /** Reads a KRL; a malformed or unsupported one is refused with the reason, as a 400 for field {@code krl}. */
    public static Krl parse(byte[] data) {
        if (data == null || data.length == 0) {
            throw invalid("the body is empty: send the KRL file that ssh-keygen -k wrote, as application/octet-stream");
        }
        try {
            return read(ByteBuffer.wrap(data));
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw invalid("the KRL is truncated or malformed (" + (e.getMessage() == null ? "it ends inside a field" : e.getMessage())
                    + "): check it with ssh-keygen -Q -l -f <file>");
        }
    }

    private static Krl read(ByteBuffer in) {
        if (in.remaining() < 8 || in.getLong() != MAGIC) {
            throw invalid("this is not an OpenSSH KRL (it does not start with SSHKRL): create one with ssh-keygen -k");
        }
        long format = Integer.toUnsignedLong(in.getInt());
        if (format != FORMAT_VERSION) {
            throw invalid("KRL format version " + format + " is not supported (only version " + FORMAT_VERSION + ")");
        }
        long version = in.getLong();
        long generated = in.getLong();
        in.getLong(); // flags: none defined
        string(in); // reserved
        String comment = text(in);
        List<CertificateRules> certificates = new ArrayList<>();
        Set<ByteBuffer> keys = new HashSet<>();
        Set<ByteBuffer> sha1 = new HashSet<>();
        Set<ByteBuffer> sha256 = new HashSet<>();
        while (in.hasRemaining()) {
            int type = Byte.toUnsignedInt(in.get());
            if (type == SIGNATURE) {
                string(in); // signature key
                string(in); // signature: see the class comment
                continue;
            }
            ByteBuffer section = string(in);
            switch (type) {
                case CERTIFICATES -> certificates.add(certificateRules(section));
                case EXPLICIT_KEY -> readAll(section, keys);
                case FINGERPRINT_SHA1 -> readAll(section, sha1);
                case FINGERPRINT_SHA256 -> readAll(section, sha256);
                case EXTENSION -> extension(section, "KRL");
                default -> throw invalid("the KRL has a section of type " + type + ", which this version of Ferry cannot read");
            }
        }
        return new Krl(version, Instant.ofEpochSecond(generated), comment, List.copyOf(certificates), Set.copyOf(keys),
                Set.copyOf(sha1), Set.copyOf(sha256));
    }

    private static CertificateRules certificateRules(ByteBuffer section) {
        ByteBuffer ca = string(section);
        string(section); // reserved
        List<long[]> ranges = new ArrayList<>();
        List<BitmapRule> bitmaps = new ArrayList<>();
        Set<String> keyIds = new HashSet<>();
        while (section.hasRemaining()) {
            int type = Byte.toUnsignedInt(section.get());
            ByteBuffer data = string(section);
            switch (type) {
                case CERT_SERIAL_LIST -> {
                    while (data.hasRemaining()) {
                        long serial = data.getLong();
                        ranges.add(new long[] {serial, serial});
                    }
                }
                case CERT_SERIAL_RANGE -> ranges.add(new long[] {data.getLong(), data.getLong()});
                case CERT_SERIAL_BITMAP -> {
                    long offset = data.getLong();
                    BigInteger bits = new BigInteger(1, bytes(string(data)));
                    if (bits.bitLength() > MAX_BITMAP_BITS) {
                        throw invalid("a serial bitmap of the KRL spans more than " + MAX_BITMAP_BITS + " serials");
                    }
                    bitmaps.add(new BitmapRule(offset, bits));
                }
                case CERT_KEY_ID -> {
                    while (data.hasRemaining()) {
                        keyIds.add(text(data));
                    }
                }
                case CERT_EXTENSION -> extension(data, "certificate section");
                default -> throw invalid("a certificate section of the KRL has a part of type 0x" + Integer.toHexString(type)
                        + ", which this version of Ferry cannot read");
            }
        }
        return new CertificateRules(ca.hasRemaining() ? ByteBuffer.wrap(bytes(ca)) : null, List.copyOf(ranges), List.copyOf(bitmaps),
                Set.copyOf(keyIds));
    }

    private static void extension(ByteBuffer data, String where) {
        String name = text(data);
        if (data.get() != 0) {
            throw invalid("the " + where + " carries the critical extension '" + name + "', which this version of Ferry cannot honour");
        }
    }

    private static void readAll(ByteBuffer section, Set<ByteBuffer> into) {
        while (section.hasRemaining()) {
            into.add(ByteBuffer.wrap(bytes(string(section))));
        }
    }

    /** An SSH {@code string}: a uint32 length and that many bytes, as a view of them. */
    private static ByteBuffer string(ByteBuffer in) {
        long length = Integer.toUnsignedLong(in.getInt());
        if (length > in.remaining()) {
            throw new BufferUnderflowException();
        }
        ByteBuffer value = in.slice(in.position(), (int) length);
        in.position(in.position() + (int) length);
        return value;
    }

    private static String text(ByteBuffer in) {
        return new String(bytes(string(in)), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer view) {
        byte[] copy = new byte[view.remaining()];
        view.get(copy);
        return copy;
    }

    /** Why this plain key (its SSH wire blob, never a certificate's) is revoked, if it is. */
    public Optional<String> revokesKey(byte[] plainKeyBlob) {
        if (keys.contains(ByteBuffer.wrap(plainKeyBlob))) {
            return Optional.of("the key is listed in the KRL");
        }
        if (sha256Fingerprints.contains(ByteBuffer.wrap(Sha256.of(plainKeyBlob)))
                || sha1Fingerprints.contains(ByteBuffer.wrap(sha1(plainKeyBlob)))) {
            return Optional.of("the key's fingerprint is listed in the KRL");
        }
        return Optional.empty();
    }

    /**
     * Why a certificate is revoked, if it is: its own key, its CA's key, or a rule of a section for its CA
     * or for every CA.
     */
    public Optional<String> revokesCertificate(byte[] certifiedKeyBlob, byte[] caKeyBlob, long serial, String keyId) {
        Optional<String> key = revokesKey(certifiedKeyBlob);
        if (key.isPresent()) {
            return key;
        }
        if (revokesKey(caKeyBlob).isPresent()) {
            return Optional.of("its CA key is listed in the KRL");
        }
        for (CertificateRules rules : certificates) {
            String by = rules.appliesTo(caKeyBlob) ? rules.revokes(serial, keyId) : null;
            if (by != null) {
                return Optional.of("the KRL revokes its " + by);
            }
        }
        return Optional.empty();
    }

    public long version() {
        return version;
    }

    public Instant generatedAt() {
        return generatedAt;
    }

    public String comment() {
        return comment;
    }

    /** Counts for the API's summary: certificate sections, serial rules, key ids, keys and fingerprints. */
    public KrlContents contents() {
        return new KrlContents(certificates.size(),
                certificates.stream().mapToInt(c -> c.serialRanges().size() + c.bitmaps().size()).sum(),
                certificates.stream().mapToInt(c -> c.keyIds().size()).sum(), keys.size(),
                sha1Fingerprints.size() + sha256Fingerprints.size());
    }

    /** SHA-1, only to match the hashes old KRLs list (Ferry uses SHA-256 everywhere else). */
    private static byte[] sha1(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every Java runtime", e);
        }
    }

    private static InvalidInputException invalid(String message) {
        return new InvalidInputException("krl", message);
    }
}
