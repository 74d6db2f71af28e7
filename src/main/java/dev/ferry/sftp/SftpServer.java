package dev.ferry.sftp;

import dev.ferry.quotas.QuotaLedger;
import dev.ferry.storage.StorageBackends;
import dev.ferry.users.UserService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Collections;
import java.util.List;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.auth.password.PasswordAuthenticator;
import org.apache.sshd.server.auth.password.UserAuthPasswordFactory;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;
import org.apache.sshd.sftp.SftpModuleProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The SFTP listener: Apache MINA SSHD with the SFTP subsystem only (no shell, exec, port or
 * agent forwarding), Ferry's algorithms, host keys from PostgreSQL and accounts from
 * {@link UserService}. Started after the database is ready, stopped before it closes.
 */
@Component
class SftpServer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SftpServer.class);
    private static final java.time.Duration GRACEFUL_CLOSE = java.time.Duration.ofSeconds(5);

    private final SftpProperties properties;
    private final HostKeyStore hostKeys;
    private final UserService users;
    private final StorageBackends storage;
    private final SftpSessions sessions;
    private final QuotaLedger ledger;
    private final dev.ferry.audit.FileDigests fileDigests;
    private final SftpMetrics metrics;
    private volatile DrainableSshServer server;

    SftpServer(SftpProperties properties, HostKeyStore hostKeys, UserService users, StorageBackends storage,
            SftpSessions sessions, QuotaLedger ledger, dev.ferry.audit.FileDigests fileDigests, SftpMetrics metrics) {
        this.fileDigests = fileDigests;
        this.properties = properties;
        this.hostKeys = hostKeys;
        this.users = users;
        this.storage = storage;
        this.sessions = sessions;
        this.ledger = ledger;
        this.metrics = metrics;
    }

    @Override
    public void start() {
        DrainableSshServer ssh = DrainableSshServer.create();
        ssh.setHost(properties.host());
        ssh.setPort(properties.port());
        CryptoPolicy.apply(ssh, cryptoPolicy(properties.cryptoPolicy()));
        try {
            List<java.security.KeyPair> keys = hostKeys.loadOrCreate();
            ssh.setKeyPairProvider(KeyPairProvider.wrap(keys));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load or create the host keys", e);
        }

        AccountAuthenticator authenticator = new AccountAuthenticator(users, sessions, Clock.systemUTC());
        ssh.setPublickeyAuthenticator((PublickeyAuthenticator) authenticator);
        ssh.setPasswordAuthenticator((PasswordAuthenticator) authenticator);
        ssh.setUserAuthFactories(List.of(
                new AccountAuthenticator.AdmittingPublicKeyAuthFactory(authenticator), UserAuthPasswordFactory.INSTANCE));
        ssh.setServiceFactories(List.of(new AuthAttemptLimit(properties.maxAuthAttempts(), properties.authTimeout()),
                new ChannelLimit(properties.maxChannelsPerConnection())));
        ssh.addSessionListener(new PreAuthLimiter(properties.maxUnauthenticated(), properties.maxUnauthenticatedPerAddress()));
        ssh.addSessionListener(sessions);
        if (!properties.trustedProxies().isEmpty()) {
            ssh.setServerProxyAcceptor(new ProxyProtocolAcceptor(dev.ferry.access.IpAllowList.of(properties.trustedProxies())));
        }
        ssh.addSessionListener(metrics);
        ssh.setKeyboardInteractiveAuthenticator(null);
        ssh.setGSSAuthenticator(null);
        ssh.setHostBasedAuthenticator(null);

        // SFTP only: no shell, no exec, no forwarding of any kind.
        ssh.setShellFactory(channel -> new SftpOnlyCommand());
        ssh.setCommandFactory((channel, command) -> new SftpOnlyCommand());
        ssh.setForwardingFilter(RejectAllForwardingFilter.INSTANCE);
        ssh.setAgentFactory(null);
        HomeSftpSubsystemFactory sftp = new HomeSftpSubsystemFactory(sessions, ledger, fileDigests);
        sftp.addSftpEventListener(metrics);
        sftp.addSftpEventListener(new GracefulStop());
        sftp.setErrorStatusDataHandler(metrics.countingErrors(sftp.getErrorStatusDataHandler()));
        ssh.setSubsystemFactories(Collections.singletonList(sftp));
        ssh.setFileSystemFactory(new HomeFileSystemFactory(storage));

        CoreModuleProperties.AUTH_TIMEOUT.set(ssh, properties.authTimeout());
        // AuthAttemptLimit counts failures per connection; MINA's count of requests per service stays as a backstop.
        CoreModuleProperties.MAX_AUTH_REQUESTS.set(ssh, 2 * properties.maxAuthAttempts() + 1);
        CoreModuleProperties.IDLE_TIMEOUT.set(ssh, properties.idleTimeout());
        CoreModuleProperties.SERVER_IDENTIFICATION.set(ssh, "Ferry");
        // Nagle delays the small replies SFTP clients wait for: 3x slower small-file transfers without this.
        CoreModuleProperties.TCP_NODELAY.set(ssh, true);
        SftpModuleProperties.MAX_READDATA_PACKET_LENGTH.set(ssh, properties.maxReadPacket());
        SftpModuleProperties.MAX_OPEN_HANDLES_PER_SESSION.set(ssh, properties.maxHandles());
        // SFTP v3 only, like OpenSSH and SFTPGo: what every client speaks, and one protocol to secure.
        SftpModuleProperties.SFTP_VERSION.set(ssh, 3);

        try {
            ssh.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for SFTP on " + properties.host() + ":" + properties.port(), e);
        }
        server = ssh;
        log.info("SFTP listening on {}:{}", properties.host(), ssh.getPort());
    }

    private static CryptoPolicy.Name cryptoPolicy(String name) {
        try {
            return CryptoPolicy.Name.valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("sftp.crypto-policy must be modern, compatible or fips, not '" + name + "'");
        }
    }

    @Override
    public void stop() {
        DrainableSshServer ssh = server;
        if (ssh != null) {
            // Refuse new connections, let transfers in progress finish, then end the sessions.
            GracefulStop.drain(ssh, sessions, properties.shutdownGrace());
            GracefulStop.closeSessions(sessions, GRACEFUL_CLOSE);
        }
        sessions.shutdown();
        if (ssh != null) {
            try {
                ssh.stop(true);
            } catch (IOException e) {
                log.warn("SFTP server did not stop cleanly: {}", e.toString());
            }
            server = null;
        }
    }

    @Override
    public boolean isRunning() {
        return server != null && server.isStarted();
    }

    /** The port actually bound (differs from the configured one when that is 0). */
    public int port() {
        DrainableSshServer ssh = server;
        return ssh == null ? -1 : ssh.getPort();
    }
}
