package dev.ferry.admins;

/** What the admin API needs to check an HTTP login; the hash never leaves the server. */
public record AdminCredentials(String username, String passwordHash, AdminRole role) {

    @Override
    public String toString() {
        return "AdminCredentials[username=" + username + ", role=" + role + "]";
    }
}
