package dev.ferry.hostkeys;

import java.security.KeyPair;

/** A host key the SFTP server serves: advertised to clients, and presented in key exchange if primary. */
public record ActiveHostKey(long id, String type, boolean primary, KeyPair pair) {
}
