package dev.ferry.identity.hook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A misconfigured hook stops the start with a message naming the setting, as the event webhooks' SSRF rules. */
class AuthHookPropertiesTest {

    static final String SECRET = "0123456789abcdef";

    static AuthHookProperties hook(String url, String secret, boolean allowHttp, boolean allowPrivate) {
        return new AuthHookProperties(url == null ? null : URI.create(url), secret, Duration.ofSeconds(5), Duration.ofMinutes(1),
                Duration.ZERO, allowHttp, allowPrivate);
    }

    @Test
    void httpsToAPublicNameIsFine() {
        assertThatCode(() -> hook("https://idp.example.com/auth", SECRET, false, false)).doesNotThrowAnyException();
        assertThatCode(() -> hook(null, null, false, false)).doesNotThrowAnyException();
    }

    @Test
    void plainHttpOnlyWhenAllowed() {
        assertThatThrownBy(() -> hook("http://idp.example.com/auth", SECRET, false, false))
                .hasMessageContaining("https://").hasMessageContaining("sftp.auth-hook.allow-http");
        assertThatCode(() -> hook("http://idp.example.com/auth", SECRET, true, false)).doesNotThrowAnyException();
        assertThatThrownBy(() -> hook("ftp://idp.example.com/auth", SECRET, true, false)).hasMessageContaining("https://");
    }

    @Test
    void privateLoopbackAndMetadataAddressesOnlyWhenAllowed() {
        for (String url : new String[] {"https://127.0.0.1/auth", "https://169.254.169.254/latest", "https://10.1.2.3/",
                "https://[::1]:8443/auth", "https://[fd00::1]/"}) {
            assertThatThrownBy(() -> hook(url, SECRET, false, false)).as(url)
                    .hasMessageContaining("sftp.auth-hook.allow-private-targets");
            assertThatCode(() -> hook(url, SECRET, false, true)).as(url).doesNotThrowAnyException();
        }
    }

    @Test
    void aSecretIsRequiredAndNeverShown() {
        assertThatThrownBy(() -> hook("https://idp.example.com/auth", null, false, false)).hasMessageContaining("sftp.auth-hook.secret");
        assertThatThrownBy(() -> hook("https://idp.example.com/auth", "short", false, false)).hasMessageContaining("16");
        assertThat(hook("https://idp.example.com/auth", SECRET, false, false).toString()).doesNotContain(SECRET);
    }

    @Test
    void userinfoAndDenyCacheLongerThanAllowsAreRefused() {
        assertThatThrownBy(() -> hook("https://u:p@idp.example.com/auth", SECRET, false, false)).hasMessageContaining("user:password@");
        assertThatThrownBy(() -> new AuthHookProperties(URI.create("https://idp.example.com/"), SECRET, Duration.ofSeconds(5),
                Duration.ofSeconds(10), Duration.ofSeconds(30), false, false)).hasMessageContaining("deny-cache-ttl");
    }
}
