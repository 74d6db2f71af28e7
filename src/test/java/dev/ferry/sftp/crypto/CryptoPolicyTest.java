package dev.ferry.sftp.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.sshd.common.kex.KexProposalOption;
import org.junit.jupiter.api.Test;

/**
 * Which policy admits which client, decided from the client's KEXINIT as MINA negotiates it. The
 * proposals are what the clients installed here send (OpenSSH 9.2p1, from {@code ssh -vvv}, and
 * curl 7.88 with libssh2 1.10, as Ferry logged it; both Debian 12).
 */
class CryptoPolicyTest {

    static final List<String> HOST_KEY_TYPES = List.of("ssh-ed25519", "ssh-rsa");

    static final Map<KexProposalOption, String> LIBSSH2_1_10 = proposal(
            "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,"
                    + "diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,"
                    + "diffie-hellman-group14-sha256,diffie-hellman-group14-sha1,diffie-hellman-group1-sha1,"
                    + "diffie-hellman-group-exchange-sha1",
            "ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,ssh-ed25519,ssh-rsa,ssh-dss",
            "aes128-ctr,aes192-ctr,aes256-ctr,aes256-cbc,rijndael-cbc@lysator.liu.se,aes192-cbc,aes128-cbc,blowfish-cbc,"
                    + "arcfour128,arcfour,cast128-cbc,3des-cbc",
            "hmac-sha2-256,hmac-sha2-512,hmac-sha1,hmac-sha1-96,hmac-md5,hmac-md5-96,hmac-ripemd160,hmac-ripemd160@openssh.com");

    static final Map<KexProposalOption, String> OPENSSH_9_2 = proposal(
            "sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,"
                    + "ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,"
                    + "diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256,ext-info-c,"
                    + "kex-strict-c-v00@openssh.com",
            "ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,ecdsa-sha2-nistp384-cert-v01@openssh.com,"
                    + "ecdsa-sha2-nistp521-cert-v01@openssh.com,sk-ssh-ed25519-cert-v01@openssh.com,"
                    + "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,"
                    + "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ssh-ed25519@openssh.com,"
                    + "sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256",
            "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com",
            "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,"
                    + "hmac-sha1-etm@openssh.com,umac-64@openssh.com,umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1");

    @Test
    void libssh2BeforeOneElevenNeedsTheCompatiblePolicyForItsMacs() {
        assertThat(mismatch(CryptoPolicy.Name.MODERN, LIBSSH2_1_10)).isEqualTo(KexProposalOption.C2SMAC);
        assertThat(mismatch(CryptoPolicy.Name.COMPATIBLE, LIBSSH2_1_10)).isNull();
        // FIPS signs host keys with rsa-sha2 only; libssh2 1.10 knows ssh-rsa (SHA-1) alone.
        assertThat(mismatch(CryptoPolicy.Name.FIPS, LIBSSH2_1_10)).isEqualTo(KexProposalOption.SERVERKEYS);
    }

    @Test
    void openSshIsAdmittedByEveryPolicy() {
        for (CryptoPolicy.Name policy : CryptoPolicy.Name.values()) {
            assertThat(mismatch(policy, OPENSSH_9_2)).as(policy.name()).isNull();
        }
    }

    @Test
    void anAeadCipherNeedsNoCommonMac() {
        Map<KexProposalOption, String> gcmWithSha1Macs = new EnumMap<>(LIBSSH2_1_10);
        gcmWithSha1Macs.put(KexProposalOption.C2SENC, "aes256-gcm@openssh.com,aes128-ctr");
        gcmWithSha1Macs.put(KexProposalOption.S2CENC, "aes256-gcm@openssh.com,aes128-ctr");
        gcmWithSha1Macs.put(KexProposalOption.C2SMAC, "hmac-sha1");
        gcmWithSha1Macs.put(KexProposalOption.S2CMAC, "hmac-sha1");
        assertThat(mismatch(CryptoPolicy.Name.MODERN, gcmWithSha1Macs)).isNull();
        // The first common cipher decides: with CTR first, a MAC is needed and SHA-1 is none of Ferry's.
        gcmWithSha1Macs.put(KexProposalOption.C2SENC, "aes128-ctr,aes256-gcm@openssh.com");
        assertThat(mismatch(CryptoPolicy.Name.MODERN, gcmWithSha1Macs)).isEqualTo(KexProposalOption.C2SMAC);
    }

    @Test
    void aClientWithOnlySha1AndCbcFitsNoPolicy() {
        Map<KexProposalOption, String> ancient = proposal("diffie-hellman-group14-sha1,diffie-hellman-group1-sha1", "ssh-rsa",
                "aes128-cbc,3des-cbc", "hmac-sha1");
        for (CryptoPolicy.Name policy : CryptoPolicy.Name.values()) {
            assertThat(mismatch(policy, ancient)).as(policy.name()).isEqualTo(KexProposalOption.ALGORITHMS);
        }
    }

    private static KexProposalOption mismatch(CryptoPolicy.Name policy, Map<KexProposalOption, String> client) {
        return CryptoPolicy.mismatch(CryptoPolicy.offer(policy, HOST_KEY_TYPES), client);
    }

    private static Map<KexProposalOption, String> proposal(String kex, String hostKeys, String ciphers, String macs) {
        Map<KexProposalOption, String> p = new EnumMap<>(KexProposalOption.class);
        p.put(KexProposalOption.ALGORITHMS, kex);
        p.put(KexProposalOption.SERVERKEYS, hostKeys);
        p.put(KexProposalOption.C2SENC, ciphers);
        p.put(KexProposalOption.S2CENC, ciphers);
        p.put(KexProposalOption.C2SMAC, macs);
        p.put(KexProposalOption.S2CMAC, macs);
        p.put(KexProposalOption.C2SCOMP, "none,zlib@openssh.com");
        p.put(KexProposalOption.S2CCOMP, "none,zlib@openssh.com");
        p.put(KexProposalOption.C2SLANG, "");
        p.put(KexProposalOption.S2CLANG, "");
        return p;
    }
}
