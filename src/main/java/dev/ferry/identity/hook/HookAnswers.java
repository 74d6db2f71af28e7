package dev.ferry.identity.hook;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.ferry.identity.Credential;
import dev.ferry.identity.Decision;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The hook's recent answers. The key is an HMAC (with a key of this process only, so nothing in
 * memory can be tried against a password list) of the name, the credential (the password itself, or
 * the key's fingerprint), the client address and the protocol: a changed password or another
 * address is asked afresh. Allows live {@code cache-ttl}, denies {@code deny-cache-ttl} (never
 * longer), and a hook that could not answer is never remembered.
 */
final class HookAnswers {

    private final byte[] key = new byte[32];
    private final Duration allowTtl;
    private final Duration denyTtl;
    private final @Nullable Cache<String, Decision> cache;

    HookAnswers(Duration allowTtl, Duration denyTtl) {
        new SecureRandom().nextBytes(key);
        this.allowTtl = allowTtl;
        this.denyTtl = denyTtl;
        this.cache = allowTtl.isZero() ? null : Caffeine.newBuilder().maximumSize(10_000).expireAfter(new Expiry<String, Decision>() {
            @Override
            public long expireAfterCreate(String k, Decision decision, long now) {
                return ttl(decision).toNanos();
            }

            @Override
            public long expireAfterUpdate(String k, Decision decision, long now, long remaining) {
                return ttl(decision).toNanos();
            }

            @Override
            public long expireAfterRead(String k, Decision decision, long now, long remaining) {
                return remaining;
            }
        }).build();
    }

    private Duration ttl(Decision decision) {
        return decision.outcome() == Decision.Outcome.ALLOWED ? allowTtl : denyTtl;
    }

    String key(String username, Credential credential, String clientAddress, String protocol) {
        String secret = credential instanceof Credential.Password p ? "password\0" + p.password()
                : "publickey\0" + ((Credential.PublicKey) credential).fingerprint();
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            String input = username.toLowerCase(Locale.ROOT) + "\0" + secret + "\0" + clientAddress + "\0" + protocol;
            return HexFormat.of().formatHex(mac.doFinal(input.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    @Nullable
    Decision get(String key) {
        return cache == null ? null : cache.getIfPresent(key);
    }

    void put(String key, Decision decision) {
        if (cache == null || ttl(decision).isZero()
                || (decision.outcome() != Decision.Outcome.ALLOWED && decision.outcome() != Decision.Outcome.DENIED)) {
            return;
        }
        cache.put(key, decision);
    }
}
