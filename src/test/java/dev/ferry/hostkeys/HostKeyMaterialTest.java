package dev.ferry.hostkeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.shared.InvalidInputException;
import java.security.KeyPair;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.junit.jupiter.api.Test;

/** Which host keys Ferry generates and accepts, and that a stored key reads back as the same key. */
class HostKeyMaterialTest {

    @Test
    void generatesTheAlgorithmsTheCryptoPolicySignsWith() {
        assertThat(KeyUtils.getKeyType(HostKeyMaterial.generate("ed25519", null))).isEqualTo("ssh-ed25519");
        assertThat(KeyUtils.getKeyType(HostKeyMaterial.generate("ECDSA", 384))).isEqualTo("ecdsa-sha2-nistp384");
        assertThat(KeyUtils.getKeyType(HostKeyMaterial.generate("ecdsa", null))).isEqualTo("ecdsa-sha2-nistp256");
        KeyPair rsa = HostKeyMaterial.generate("rsa", null);
        assertThat(KeyUtils.getKeySize(rsa.getPublic())).isEqualTo(3072);
    }

    @Test
    void refusesWeakOrUnknownAlgorithmsWithTheFieldToChange() {
        assertRefused(() -> HostKeyMaterial.generate("rsa", 2048), "bits", "3072");
        assertRefused(() -> HostKeyMaterial.generate("rsa", 3000), "bits", "steps of 1024");
        assertRefused(() -> HostKeyMaterial.generate("dsa", null), "algorithm", "ssh-dss");
        assertRefused(() -> HostKeyMaterial.generate("ed448", null), "algorithm", "unknown host key algorithm 'ed448'");
        assertRefused(() -> HostKeyMaterial.generate("ed25519", 512), "bits", "256 bits");
        assertRefused(() -> HostKeyMaterial.generate(" ", null), "algorithm", "required");
    }

    @Test
    void importsOnlyAcceptedKeysAndStoresThemUnchanged() throws Exception {
        KeyPair ecdsa = HostKeyMaterial.generate("ecdsa", 521);
        KeyPair imported = HostKeyMaterial.parse(HostKeyMaterial.encode(ecdsa), null);
        assertThat(KeyUtils.compareKeys(imported.getPublic(), ecdsa.getPublic())).isTrue();
        KeyPair stored = HostKeyMaterial.decode(7, HostKeyMaterial.encode(imported));
        assertThat(KeyUtils.getFingerPrint(stored.getPublic())).isEqualTo(KeyUtils.getFingerPrint(ecdsa.getPublic()));

        assertRefused(() -> HostKeyMaterial.parse(HostKeyMaterial.encode(KeyUtils.generateKeyPair("ssh-rsa", 1024)), null),
                "privateKey", "1024 bits");
        assertRefused(() -> HostKeyMaterial.parse(HostKeyMaterial.encode(KeyUtils.generateKeyPair("ssh-dss", 1024)), null),
                "privateKey", "ssh-dss (DSA) host keys are refused");
        assertRefused(() -> HostKeyMaterial.parse("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFGDN33KieEAuYwvaInZ2hmo+p/EGrMsyR7SddZNMySU", null),
                "privateKey", "private key");
        assertRefused(() -> HostKeyMaterial.parse("x".repeat(40_000), null), "privateKey", "longer than");
    }

    private static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String field, String message) {
        assertThatThrownBy(call).isInstanceOf(InvalidInputException.class).hasMessageContaining(message)
                .extracting(e -> ((InvalidInputException) e).field()).isEqualTo(field);
    }
}
