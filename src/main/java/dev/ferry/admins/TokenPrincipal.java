package dev.ferry.admins;

/** Who a valid bearer token authenticates: its own role, named {@code token:<id>} in the audit. */
public record TokenPrincipal(long id, String name, AdminRole role) {

    public String principalName() {
        return "token:" + id;
    }
}
