package dev.ferry.users;

import dev.ferry.shared.InvalidInputException;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Which credentials an SFTP login needs, as OpenSSH's {@code AuthenticationMethods}: {@code any}
 * is one of password, key or certificate; the others need a key (or certificate) first and then
 * the password ({@code publickey,password}) or a TOTP code asked by keyboard-interactive
 * ({@code publickey,keyboard-interactive}).
 */
public enum LoginPolicy {
    ANY("any", null),
    KEY_AND_PASSWORD("key+password", "password"),
    KEY_AND_TOTP("key+totp", "keyboard-interactive");

    private final String value;
    private final String secondMethod;

    LoginPolicy(String value, String secondMethod) {
        this.value = value;
        this.secondMethod = secondMethod;
    }

    /** The name in the API and the database. */
    public String value() {
        return value;
    }

    /** The SSH method of the second factor (after the key), or null for {@link #ANY}. */
    public String secondMethod() {
        return secondMethod;
    }

    /** The policy named {@code value} (null: {@code fallback}); anything else is a 400 naming the choices. */
    public static LoginPolicy parse(String value, LoginPolicy fallback) {
        if (value == null) {
            return fallback;
        }
        return Arrays.stream(values()).filter(p -> p.value.equals(value)).findFirst()
                .orElseThrow(() -> new InvalidInputException("loginPolicy", "unknown loginPolicy '" + value + "': use one of "
                        + Arrays.stream(values()).map(p -> "'" + p.value + "'").collect(Collectors.joining(", "))));
    }
}
