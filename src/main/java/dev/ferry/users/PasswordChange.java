package dev.ferry.users;

/** What a replace does to the password: keep it (field omitted), remove it (null), or set it. */
public sealed interface PasswordChange {

    record Keep() implements PasswordChange {
    }

    record Remove() implements PasswordChange {
    }

    record Set(String password) implements PasswordChange {
    }

    static PasswordChange keep() {
        return new Keep();
    }

    static PasswordChange remove() {
        return new Remove();
    }

    static PasswordChange set(String password) {
        return new Set(password);
    }
}
