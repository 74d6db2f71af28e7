package dev.ferry.admins;

import dev.ferry.shared.InvalidInputException;
import dev.ferry.shared.NotFoundException;
import dev.ferry.shared.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * API tokens for automation: {@code ferry_} followed by 256 random bits (base64url). The token is
 * shown once when created and stored only as its SHA-256; a fast hash is enough for a secret
 * nobody can guess, and lets each request find its token by an index lookup. Revoking deletes it.
 */
@Service
public class ApiTokens {

    private static final Logger log = LoggerFactory.getLogger(ApiTokens.class);
    public static final String PREFIX = "ferry_";
    private static final Pattern TOKEN = Pattern.compile(Pattern.quote(PREFIX) + "[A-Za-z0-9_-]{43}");
    private static final Duration TOUCH_INTERVAL = Duration.ofMinutes(1);
    static final int MAX_NAME = 64;

    private final ApiTokenRepository tokens;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    ApiTokens(ApiTokenRepository tokens, Optional<Clock> clock) {
        this.tokens = tokens;
        this.clock = clock.orElse(Clock.systemUTC());
    }

    /** @param createdBy who asks: an admin's username or another token's principal name */
    @Transactional
    public NewToken create(String name, AdminRole role, OffsetDateTime expiresAt, String createdBy) {
        String checkedName = name(name);
        AdminRules.role(role);
        Instant now = now();
        if (expiresAt != null && !expiresAt.toInstant().isAfter(now)) {
            throw new InvalidInputException("expiresAt", "expiresAt must be in the future (or null for a token that never expires)");
        }
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        ApiToken entity = new ApiToken();
        entity.name = checkedName;
        entity.role = role.name();
        entity.tokenHash = hash(token);
        entity.createdBy = createdBy;
        entity.createdAt = now;
        entity.expiresAt = expiresAt == null ? null : expiresAt.toInstant().truncatedTo(ChronoUnit.MICROS);
        tokens.saveAndFlush(entity);
        log.info("Created API token {} '{}' with role {}", entity.id(), entity.name, role);
        TokenView v = view(entity);
        return new NewToken(v.id(), v.name(), v.role(), v.createdBy(), v.createdAt(), v.expiresAt(), v.lastUsedAt(), token);
    }

    @Transactional(readOnly = true)
    public List<TokenView> list() {
        return tokens.findAllByOrderByIdAsc().stream().map(ApiTokens::view).toList();
    }

    @Transactional(readOnly = true)
    public TokenView get(long id) {
        return view(require(id));
    }

    /** Revokes (deletes) a token; it stops working at once on every instance. */
    @Transactional
    public TokenView revoke(long id) {
        ApiToken token = require(id);
        tokens.delete(token);
        tokens.flush();
        log.info("Revoked API token {} '{}'", token.id(), token.name);
        return view(token);
    }

    /** The principal of a token that exists and has not expired; empty for anything else. */
    @Transactional
    public Optional<TokenPrincipal> authenticate(String presented) {
        if (presented == null || !TOKEN.matcher(presented).matches()) {
            return Optional.empty(); // not one of ours: no database round trip
        }
        Optional<ApiToken> found = tokens.findByTokenHash(hash(presented));
        if (found.isEmpty()) {
            return Optional.empty();
        }
        ApiToken token = found.get();
        Instant now = now();
        if (token.expiresAt != null && !token.expiresAt.isAfter(now)) {
            return Optional.empty();
        }
        tokens.touch(token.id(), now, now.minus(TOUCH_INTERVAL));
        return Optional.of(new TokenPrincipal(token.id(), token.name, AdminRole.valueOf(token.role)));
    }

    private ApiToken require(long id) {
        return tokens.findById(id).orElseThrow(() -> new NotFoundException(
                "no API token with id " + id + " (it may have been revoked): GET /api/v1/tokens lists them"));
    }

    private static String name(String name) {
        if (name == null || name.isBlank()) {
            throw new InvalidInputException("name", "name is required: say what the token is for, e.g. 'nightly provisioning'");
        }
        if (name.length() > MAX_NAME || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new InvalidInputException("name", "name must have 1 to " + MAX_NAME + " characters and no control characters");
        }
        return name.strip();
    }

    static String hash(String token) {
        return Sha256.hex(token.getBytes(StandardCharsets.US_ASCII));
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private static TokenView view(ApiToken t) {
        return new TokenView(t.id(), t.name, AdminRole.valueOf(t.role), t.createdBy, utc(t.createdAt), utc(t.expiresAt), utc(t.lastUsedAt));
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
