package dev.ferry.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PasswordHasherTest {

    private final PasswordHasher hasher = new PasswordHasher();

    @Test
    void hashesAndMatchesPasswordsWithCharactersBeyondTheBasicPlane() {
        String password = "correct horse 🐎 battery";
        String hash = hasher.hash(password);
        assertThat(hasher.matches(password, hash)).isTrue();
        assertThat(hasher.matches("correct horse battery", hash)).isFalse();
    }

    @Test
    void refusesToHashAPasswordWithAnUnpairedSurrogate() {
        assertThatThrownBy(() -> hasher.hash("long enough \ud800 here")).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("unpaired UTF-16 surrogate");
        assertThatThrownBy(() -> hasher.hash("reversed pair \udc00\ud800")).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void aPasswordWithAnUnpairedSurrogateMatchesNothing() {
        String hash = hasher.hash("long enough password");
        assertThat(hasher.matches("long enough password\ud800", hash)).isFalse();
        assertThat(hasher.matches("\udfff", hash)).isFalse();
        hasher.burn("\ud800"); // and costs the same time without failing
    }
}
