package dev.ferry.adminapi;

/**
 * Body of POST /api/v1/host-keys: {@code algorithm} (and {@code bits}) to generate a key, or
 * {@code privateKey} (and its {@code passphrase}, if encrypted) to import one; an optional label.
 */
record HostKeyRequest(String algorithm, Integer bits, String privateKey, String passphrase, String label) {

    /** Never the private key or passphrase, should anything print the request. */
    @Override
    public String toString() {
        return "HostKeyRequest[algorithm=" + algorithm + ", bits=" + bits + ", privateKey=" + (privateKey == null ? null : "(hidden)")
                + ", label=" + label + "]";
    }
}
