package dev.ferry.sftp;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The SFTP listener.
 *
 * @param port               listen port ({@code SFTP_PORT})
 * @param host               bind address ({@code SFTP_HOST})
 * @param authTimeout        a connection must authenticate within this time, or it is closed
 * @param maxAuthAttempts    failed authentication requests per connection: the one that reaches it closes the
 *                           connection (OpenSSH's MaxAuthTries)
 * @param idleTimeout        an authenticated session with no traffic for this long is closed
 * @param maxReadPacket      largest SFTP READ reply; OpenSSH asks for 255 KiB (MINA's default is 63 KiB)
 * @param maxHandles         open file and directory handles per SFTP session
 * @param maxChannelsPerConnection open channels (each an SFTP session with a thread) per SSH connection, as
 *                           OpenSSH's MaxSessions; more are refused with a channel-open failure
 * @param maxUnauthenticated connections not yet authenticated, in all
 * @param maxUnauthenticatedPerAddress connections not yet authenticated from one address
 * @param authThreads        password checks at once (hashing, LDAP binds, auth hook calls), off the I/O threads
 * @param cryptoPolicy       modern (default), compatible or fips
 * @param trustedProxies     load-balancer addresses (CIDRs) whose connections start with a PROXY
 *                           protocol v1/v2 header giving the real client address
 * @param shutdownGrace      on shutdown, transfers in progress may finish for this long
 * @param listeners          further SFTP ports, each with a crypto policy of its own (e.g. 2223 with
 *                           {@code compatible} for old clients while the main port stays {@code modern});
 *                           they share everything else
 */
@ConfigurationProperties("sftp")
public record SftpProperties(
        @DefaultValue("2222") int port,
        @DefaultValue("0.0.0.0") String host,
        @DefaultValue("30s") Duration authTimeout,
        @DefaultValue("6") int maxAuthAttempts,
        @DefaultValue("15m") Duration idleTimeout,
        @DefaultValue("261120") int maxReadPacket,
        @DefaultValue("256") int maxHandles,
        @DefaultValue("10") int maxChannelsPerConnection,
        @DefaultValue("200") int maxUnauthenticated,
        @DefaultValue("20") int maxUnauthenticatedPerAddress,
        @DefaultValue("8") int authThreads,
        java.util.List<String> trustedProxies,
        @DefaultValue("modern") String cryptoPolicy,
        @DefaultValue("30s") Duration shutdownGrace,
        java.util.List<Listener> listeners) {

    /**
     * A further SFTP port ({@code sftp.listeners[n].*}).
     *
     * @param port         listen port
     * @param host         bind address; {@code sftp.host} when unset
     * @param cryptoPolicy modern, compatible or fips
     */
    public record Listener(Integer port, String host, String cryptoPolicy) {
    }

    public SftpProperties {
        if (authThreads < 1) {
            throw new IllegalArgumentException("sftp.auth-threads must be at least 1, not " + authThreads);
        }
        if (maxAuthAttempts < 1) {
            throw new IllegalArgumentException("sftp.max-auth-attempts must be at least 1, not " + maxAuthAttempts);
        }
        for (int i = 0; listeners != null && i < listeners.size(); i++) {
            Listener listener = listeners.get(i);
            if (listener.port() == null || listener.port() < 0 || listener.port() > 65535) {
                throw new IllegalArgumentException("sftp.listeners[" + i + "].port must be a port number, not " + listener.port());
            }
            if (listener.cryptoPolicy() == null) {
                throw new IllegalArgumentException("sftp.listeners[" + i + "].crypto-policy is required: modern, compatible or fips");
            }
        }
        if (maxChannelsPerConnection < 1) {
            throw new IllegalArgumentException("sftp.max-channels-per-connection must be at least 1, not " + maxChannelsPerConnection);
        }
    }

    public java.util.List<Listener> listeners() {
        return listeners == null ? java.util.List.of() : listeners;
    }

    /** Load balancers allowed to send a PROXY protocol header (CIDRs); empty: none. */
    public java.util.List<String> trustedProxies() {
        return trustedProxies == null ? java.util.List.of() : trustedProxies;
    }
}
