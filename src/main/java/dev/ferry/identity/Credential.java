package dev.ferry.identity;

import dev.ferry.users.SshPublicKey;

/** What a client offered at login. Never logged: {@link #toString()} hides the password. */
public sealed interface Credential {

    record Password(String password) implements Credential {
        @Override
        public String toString() {
            return "Password[hidden]";
        }
    }

    /** A public key in SSH wire format; at this point the client has not necessarily proved it holds it. */
    record PublicKey(byte[] blob) implements Credential {
        public String fingerprint() {
            return SshPublicKey.fingerprintOf(blob);
        }

        @Override
        public String toString() {
            return "PublicKey[" + fingerprint() + "]";
        }
    }
}
