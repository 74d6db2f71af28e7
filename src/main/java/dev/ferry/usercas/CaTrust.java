package dev.ferry.usercas;

/**
 * What a login needs to know about the CA that signed a certificate: its name, and whether the
 * certificate (by serial or key id) was revoked.
 *
 * @param revokedBy {@code "serial 42"} or {@code "key id 'x'"} when revoked, else null
 */
public record CaTrust(long caId, String caName, String revokedBy) {

    public boolean revoked() {
        return revokedBy != null;
    }
}
