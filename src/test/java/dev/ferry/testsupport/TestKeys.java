package dev.ferry.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;

/** Client key pairs for tests, as Java objects and as OpenSSH files. */
public final class TestKeys {

    private TestKeys() {
    }

    public static KeyPair ed25519() {
        return generate("ssh-ed25519", 256);
    }

    public static KeyPair ecdsa256() {
        return generate("ecdsa-sha2-nistp256", 256);
    }

    public static KeyPair rsa(int bits) {
        return generate("ssh-rsa", bits);
    }

    public static KeyPair generate(String type, int bits) {
        try {
            return KeyUtils.generateKeyPair(type, bits);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The public key as one authorized_keys line with a comment. */
    public static String publicLine(KeyPair pair) {
        return PublicKeyEntry.toString(pair.getPublic()) + " test@ferry";
    }

    /** Writes the private key as an OpenSSH key file (mode 600) for the command-line clients. */
    public static Path writePrivateKey(KeyPair pair, Path dir) {
        try {
            Path file = Files.createTempFile(dir, "id_", "");
            try (var out = Files.newOutputStream(file)) {
                OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, "test@ferry", null, out);
            }
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            Files.writeString(dir.resolve(file.getFileName() + ".pub"), publicLine(pair) + "\n");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
