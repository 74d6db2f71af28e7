package dev.ferry.identity.hook;

import dev.ferry.shared.TargetAddresses;
import java.net.URI;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The external authentication hook ({@code sftp.auth-hook.*}); off while {@code url} is unset.
 *
 * @param url                 where each login of a name no local (or LDAP) user holds is POSTed; https
 * @param secret              signs each request ({@code Ferry-Signature}, as event webhooks); never logged
 * @param timeout             connecting and answering, each; a hook slower than this denies the login
 * @param cacheTtl            an allow is reused this long for the same name, credential and address (0: ask every time)
 * @param denyCacheTtl        a deny is reused this long (never longer than {@code cacheTtl}; 0: not at all)
 * @param allowHttp           accept an http:// URL (the password crosses the network in clear: tests, a local sidecar)
 * @param allowPrivateTargets the URL may reach loopback, private and link-local addresses (SSRF rules of event webhooks)
 */
@ConfigurationProperties("sftp.auth-hook")
record AuthHookProperties(@Nullable URI url, @Nullable String secret, @DefaultValue("5s") Duration timeout,
        @DefaultValue("1m") Duration cacheTtl, @DefaultValue("0s") Duration denyCacheTtl, @DefaultValue("false") boolean allowHttp,
        @DefaultValue("false") boolean allowPrivateTargets) {

    static final String PRIVATE_TARGETS = "sftp.auth-hook.allow-private-targets";

    AuthHookProperties {
        if (cacheTtl.isNegative() || denyCacheTtl.isNegative() || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("sftp.auth-hook.timeout must be positive, cache-ttl and deny-cache-ttl not negative");
        }
        if (denyCacheTtl.compareTo(cacheTtl) > 0) {
            throw new IllegalArgumentException("sftp.auth-hook.deny-cache-ttl (" + denyCacheTtl + ") must not be longer than "
                    + "sftp.auth-hook.cache-ttl (" + cacheTtl + ")");
        }
        if (url != null) {
            check(url, allowHttp, allowPrivateTargets);
            if (secret == null || secret.length() < 16) {
                throw new IllegalArgumentException("sftp.auth-hook.secret must be set, at least 16 characters: it signs every "
                        + "request so the hook can tell Ferry's from anyone's (e.g. openssl rand -base64 32)");
            }
        }
    }

    private static void check(URI url, boolean allowHttp, boolean allowPrivate) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && allowHttp)) {
            throw new IllegalArgumentException("sftp.auth-hook.url must be an https:// URL (passwords are sent to it); "
                    + "set sftp.auth-hook.allow-http=true to allow http://");
        }
        if (url.getHost() == null || url.getHost().isEmpty() || url.getRawUserInfo() != null || url.getRawFragment() != null) {
            throw new IllegalArgumentException("sftp.auth-hook.url needs a host, and no user:password@ or #fragment");
        }
        String why = allowPrivate ? null : TargetAddresses.literalRefusal(url.getHost());
        if (why != null) {
            throw new IllegalArgumentException("sftp.auth-hook.url points at a " + why + " address; "
                    + TargetAddresses.hint(PRIVATE_TARGETS));
        }
    }

    @Override
    public String toString() {
        return "AuthHookProperties[url=" + url + ", secret=" + (secret == null ? "unset" : "hidden") + ", timeout=" + timeout + "]";
    }
}
