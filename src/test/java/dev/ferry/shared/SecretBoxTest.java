package dev.ferry.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class SecretBoxTest {

    static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);

    @Test
    void aSealedSecretIsNotReadableAndOpensWithTheKeyOnly() {
        SecretBox box = new SecretBox(KEY);
        String sealed = box.seal("whsec_the-secret-itself");
        assertThat(sealed).startsWith("aes-gcm:").doesNotContain("the-secret-itself");
        assertThat(box.seal("whsec_the-secret-itself")).as("a fresh nonce each time").isNotEqualTo(sealed);
        assertThat(box.open(sealed)).isEqualTo("whsec_the-secret-itself");
        byte[] other = new byte[32];
        other[0] = 1;
        assertThatThrownBy(() -> new SecretBox(Base64.getEncoder().encodeToString(other)).open(sealed))
                .hasMessageContaining("was the key changed");
        assertThatThrownBy(() -> new SecretBox(null).open(sealed)).hasMessageContaining("sftp.secret-key is not set");
    }

    @Test
    void withoutAKeySecretsAreStoredAsGivenAndStillReadAfterAKeyIsSet() {
        String plain = new SecretBox(null).seal("whsec_x");
        assertThat(plain).isEqualTo("plain:whsec_x");
        assertThat(new SecretBox(KEY).open(plain)).isEqualTo("whsec_x");
    }

    @Test
    void aSecretStoredBeforeSealingExistedIsReadAsItIs() {
        assertThat(new SecretBox(KEY).open("JBSWY3DPEHPK3PXP")).isEqualTo("JBSWY3DPEHPK3PXP");
        assertThat(new SecretBox(null).open("JBSWY3DPEHPK3PXP")).isEqualTo("JBSWY3DPEHPK3PXP");
    }

    @Test
    void aKeyThatIsNot256BitsStopsTheStart() {
        assertThatThrownBy(() -> new SecretBox("c2hvcnQ=")).hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> new SecretBox("not base64!")).hasMessageContaining("base64");
    }

    @Test
    void generatedSecretsAreLongAndDifferent() {
        assertThat(SecretBox.newWebhookSecret()).startsWith("whsec_").hasSize(6 + 43).isNotEqualTo(SecretBox.newWebhookSecret());
    }
}
