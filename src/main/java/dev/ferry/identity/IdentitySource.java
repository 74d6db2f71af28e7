package dev.ferry.identity;

/**
 * A place SFTP users come from besides Ferry's own table. Implementations live in this module's
 * sub-packages and are beans only when configured; {@link ExternalIdentities} asks them in order.
 */
public interface IdentitySource {

    /** The {@code users.source} of the rows this source provisions ({@code ldap}, {@code hook}). */
    String name();

    /**
     * Whether {@code username} may log in with {@code credential} from {@code clientAddress}. For a
     * public key this only says the key is the user's; the SSH layer then checks the signature.
     * Must not throw: a failure to answer is {@link Decision#unavailable(String)}.
     */
    Decision authenticate(String username, Credential credential, String clientAddress, String protocol);
}
