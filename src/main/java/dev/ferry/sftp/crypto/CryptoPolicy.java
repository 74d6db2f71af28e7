package dev.ferry.sftp.crypto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.OptionalFeature;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.Cipher;
import org.apache.sshd.common.compression.BuiltinCompressions;
import org.apache.sshd.common.compression.Compression;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.common.mac.BuiltinMacs;
import org.apache.sshd.common.mac.Mac;
import org.apache.sshd.common.signature.BuiltinSignatures;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.common.signature.SignatureFactory;
import org.apache.sshd.server.ServerBuilder;
import org.apache.sshd.server.SshServer;

/**
 * The algorithms Ferry offers: no SHA-1, no CBC, encrypt-then-MAC only, no compression, post-quantum
 * hybrid key exchange first. MINA negotiates strict key exchange (Terrapin, CVE-2023-48795) by itself.
 * AES-GCM is listed before chacha20-poly1305 because MINA's ChaCha20 is pure Java and far slower;
 * OpenSSH clients still use their own first choice.
 */
public final class CryptoPolicy {

    /** Named policies, chosen with {@code sftp.crypto-policy}; README lists what each offers. */
    public enum Name {
        /** The default: what a 2026 audit accepts without warnings. */
        MODERN,
        /** MODERN plus NIST-curve and group-14 key exchange and non-EtM SHA-2 MACs, for older partner clients; still no SHA-1 or CBC. */
        COMPATIBLE,
        /** FIPS 140-approved algorithms only: NIST curves and DH groups, AES, SHA-2, RSA host keys. */
        FIPS
    }

    static final List<BuiltinDHFactories> KEX = List.of(
            BuiltinDHFactories.mlkem768x25519,
            BuiltinDHFactories.sntrup761x25519_openssh,
            BuiltinDHFactories.sntrup761x25519,
            BuiltinDHFactories.curve25519,
            BuiltinDHFactories.curve25519_libssh,
            BuiltinDHFactories.dhg18_512,
            BuiltinDHFactories.dhg16_512);

    /** ECDH on the NIST curves: what COMPATIBLE adds for older clients, and FIPS's first choice. */
    private static final List<BuiltinDHFactories> KEX_NIST_CURVES = List.of(
            BuiltinDHFactories.ecdhp256,
            BuiltinDHFactories.ecdhp384,
            BuiltinDHFactories.ecdhp521);

    static final List<BuiltinDHFactories> KEX_COMPATIBLE_EXTRA = concat(KEX_NIST_CURVES, List.of(BuiltinDHFactories.dhg14_256));

    static final List<BuiltinDHFactories> KEX_FIPS = concat(KEX_NIST_CURVES,
            List.of(BuiltinDHFactories.dhg16_512, BuiltinDHFactories.dhg18_512, BuiltinDHFactories.dhg14_256));

    /** chacha20-poly1305 is {@link JceChaCha20Poly1305}: MINA's own is pure Java. */
    static final List<NamedFactory<Cipher>> CIPHERS = List.of(
            BuiltinCiphers.aes128gcm,
            BuiltinCiphers.aes256gcm,
            JceChaCha20Poly1305.FACTORY,
            BuiltinCiphers.aes256ctr,
            BuiltinCiphers.aes192ctr,
            BuiltinCiphers.aes128ctr);

    /** CIPHERS but chacha20-poly1305: AES only. */
    static final List<NamedFactory<Cipher>> CIPHERS_FIPS = CIPHERS.stream().filter(c -> c != JceChaCha20Poly1305.FACTORY).toList();

    /** Ciphers that authenticate what they encrypt, so no MAC is negotiated with them. */
    private static final Set<String> AEAD = Set.of(BuiltinCiphers.aes128gcm.getName(),
            BuiltinCiphers.aes256gcm.getName(), JceChaCha20Poly1305.FACTORY.getName());

    static final List<BuiltinMacs> MACS = List.of(
            BuiltinMacs.hmacsha256etm,
            BuiltinMacs.hmacsha512etm);

    /** MACS, then SHA-2 MACs without encrypt-then-MAC for older clients. */
    static final List<BuiltinMacs> MACS_COMPATIBLE = concat(MACS, List.of(BuiltinMacs.hmacsha256, BuiltinMacs.hmacsha512));

    /** Host key signatures are limited by the keys the server has (ed25519, RSA); ECDSA stays for user keys. */
    static final List<BuiltinSignatures> SIGNATURES = List.of(
            BuiltinSignatures.ed25519,
            BuiltinSignatures.sk_ssh_ed25519,
            BuiltinSignatures.rsaSHA512,
            BuiltinSignatures.rsaSHA256,
            BuiltinSignatures.nistp256,
            BuiltinSignatures.nistp384,
            BuiltinSignatures.nistp521,
            BuiltinSignatures.sk_ecdsa_sha2_nistp256);

    static final List<BuiltinSignatures> SIGNATURES_FIPS = List.of(
            BuiltinSignatures.rsaSHA512,
            BuiltinSignatures.rsaSHA256,
            BuiltinSignatures.nistp256,
            BuiltinSignatures.nistp384,
            BuiltinSignatures.nistp521);

    private CryptoPolicy() {
    }

    public static void apply(SshServer server, Name name) {
        server.setKeyExchangeFactories(NamedFactory.setUpTransformedFactories(false, supported(kex(name)), ServerBuilder.DH2KEX));
        server.setCipherFactories(new ArrayList<>(ciphers(name)));
        server.setMacFactories(new ArrayList<NamedFactory<Mac>>(supported(macs(name))));
        server.setSignatureFactories(new ArrayList<NamedFactory<Signature>>(supported(signatures(name))));
        server.setCompressionFactories(List.<NamedFactory<Compression>>of(BuiltinCompressions.none));
    }

    /** The policy named by {@code sftp.crypto-policy} (or a listener's), case-insensitive. */
    public static Name named(String setting, String value) {
        try {
            return Name.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalStateException(setting + " must be modern, compatible or fips, not '" + value + "'");
        }
    }

    private static List<BuiltinDHFactories> kex(Name name) {
        return switch (name) {
            case MODERN -> KEX;
            case COMPATIBLE -> concat(KEX, KEX_COMPATIBLE_EXTRA);
            case FIPS -> KEX_FIPS;
        };
    }

    private static List<BuiltinMacs> macs(Name name) {
        return name == Name.COMPATIBLE ? MACS_COMPATIBLE : MACS;
    }

    private static List<BuiltinSignatures> signatures(Name name) {
        return name == Name.FIPS ? SIGNATURES_FIPS : SIGNATURES;
    }

    /**
     * What a server with this policy offers, by proposal field; host key algorithms are those its
     * keys ({@code hostKeyTypes}, e.g. ssh-ed25519, ssh-rsa) can sign with.
     */
    static Map<KexProposalOption, List<String>> offer(Name name, Collection<String> hostKeyTypes) {
        Map<KexProposalOption, List<String>> offer = new EnumMap<>(KexProposalOption.class);
        offer.put(KexProposalOption.ALGORITHMS, names(supported(kex(name))));
        offer.put(KexProposalOption.SERVERKEYS,
                SignatureFactory.resolveSignatureFactoryNamesProposal(hostKeyTypes, names(supported(signatures(name)))));
        List<String> ciphers = names(ciphers(name));
        List<String> macs = names(supported(macs(name)));
        List<String> compression = List.of(BuiltinCompressions.none.getName());
        for (KexProposalOption option : List.of(KexProposalOption.C2SENC, KexProposalOption.S2CENC)) {
            offer.put(option, ciphers);
        }
        for (KexProposalOption option : List.of(KexProposalOption.C2SMAC, KexProposalOption.S2CMAC)) {
            offer.put(option, macs);
        }
        for (KexProposalOption option : List.of(KexProposalOption.C2SCOMP, KexProposalOption.S2CCOMP)) {
            offer.put(option, compression);
        }
        return offer;
    }

    /**
     * The first field of a client's proposal that has nothing in common with {@code offer}, as
     * MINA negotiates it (no MAC is needed with an AEAD cipher), or null if the offer admits it.
     */
    static KexProposalOption mismatch(Map<KexProposalOption, List<String>> offer, Map<KexProposalOption, String> client) {
        Map<KexProposalOption, String> agreed = new EnumMap<>(KexProposalOption.class);
        for (Map.Entry<KexProposalOption, List<String>> field : offer.entrySet()) {
            KexProposalOption option = field.getKey();
            if (option == KexProposalOption.C2SMAC && AEAD.contains(agreed.get(KexProposalOption.C2SENC))
                    || option == KexProposalOption.S2CMAC && AEAD.contains(agreed.get(KexProposalOption.S2CENC))) {
                continue;
            }
            String value = client.get(option);
            String common = value == null ? null
                    : Arrays.stream(value.split(",")).filter(field.getValue()::contains).findFirst().orElse(null);
            if (common == null) {
                return option;
            }
            agreed.put(option, common);
        }
        return null;
    }

    /** The policy's ciphers this JVM supports. */
    static List<NamedFactory<Cipher>> ciphers(Name name) {
        return (name == Name.FIPS ? CIPHERS_FIPS : CIPHERS).stream()
                .filter(c -> !(c instanceof OptionalFeature feature) || feature.isSupported()).toList();
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }

    static List<String> names(List<? extends NamedResource> resources) {
        return resources.stream().map(NamedResource::getName).toList();
    }

    private static <T extends OptionalFeature> List<T> supported(List<T> candidates) {
        return candidates.stream().filter(OptionalFeature::isSupported).toList();
    }
}
