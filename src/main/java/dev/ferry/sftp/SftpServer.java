package dev.ferry.sftp;

import dev.ferry.identity.ExternalIdentities;
import dev.ferry.quotas.QuotaLedger;
import dev.ferry.sftp.crypto.CryptoPolicy;
import dev.ferry.sftp.crypto.HostKeyAdvertisement;
import dev.ferry.sftp.crypto.HostKeyProofs;
import dev.ferry.sftp.crypto.NegotiationFailures;
import dev.ferry.sftp.crypto.ServedHostKeys;
import dev.ferry.sftp.metrics.SftpMetrics;
import dev.ferry.sftp.session.AccountAuthenticator;
import dev.ferry.sftp.session.AdmittingPublicKeyAuthFactory;
import dev.ferry.sftp.session.SecondFactor;
import dev.ferry.sftp.session.ClusterHeartbeat;
import dev.ferry.sftp.session.FerrySession;
import dev.ferry.sftp.session.LocalSessions;
import dev.ferry.sftp.session.OffloadedPasswordAuth;
import dev.ferry.sftp.session.SessionAdmission;
import dev.ferry.sftp.session.SftpAudit;
import dev.ferry.sftp.status.SafeErrorMessages;
import dev.ferry.sftp.subsystem.AccessControl;
import dev.ferry.sftp.subsystem.AuditedOperations;
import dev.ferry.sftp.subsystem.HomeFileSystemAccessor;
import dev.ferry.sftp.subsystem.HomeFileSystemFactory;
import dev.ferry.sftp.subsystem.HomeSftpSubsystemFactory;
import dev.ferry.sftp.transfer.KnownDigests;
import dev.ferry.sftp.transfer.Transfers;
import dev.ferry.sftp.transport.AuthAttemptLimit;
import dev.ferry.sftp.transport.ChannelLimit;
import dev.ferry.sftp.transport.DrainableSshServer;
import dev.ferry.sftp.transport.GracefulStop;
import dev.ferry.sftp.transport.PreAuthLimiter;
import dev.ferry.sftp.transport.ProxyProtocolAcceptor;
import dev.ferry.sftp.transport.SftpOnlyCommand;
import dev.ferry.storage.StorageBackends;
import dev.ferry.usercas.UserCas;
import dev.ferry.users.LoginFactors;
import dev.ferry.users.UserService;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.sshd.common.channel.RequestHandler;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.auth.keyboard.UserAuthKeyboardInteractiveFactory;
import org.apache.sshd.server.auth.password.UserAuthPasswordFactory;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;
import org.apache.sshd.sftp.SftpModuleProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The SFTP listeners: Apache MINA SSHD with the SFTP subsystem only (no shell, exec, port or
 * agent forwarding), Ferry's algorithms, host keys from PostgreSQL and accounts from
 * {@link UserService}. The main port ({@code sftp.port}) and each of {@code sftp.listeners} is a
 * MINA server of its own with its own crypto policy; they share everything else, so a session is a
 * session whichever port it came in on. Started after the database is ready, stopped before it closes.
 * <p>
 * This is the one place where the parts of the subpackages are put together: every MINA session
 * listener and SFTP event listener is registered here, in the order they run.
 */
@Component
class SftpServer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SftpServer.class);
    private static final java.time.Duration GRACEFUL_CLOSE = java.time.Duration.ofSeconds(5);

    private final SftpProperties properties;
    private final ServedHostKeys hostKeys;
    private final UserService users;
    private final ExternalIdentities identities;
    private final StorageBackends storage;
    private final SessionAdmission admission;
    private final LocalSessions sessions;
    private final ClusterHeartbeat heartbeat;
    private final SftpAudit audit;
    private final Transfers transfers;
    private final QuotaLedger ledger;
    private final KnownDigests knownDigests;
    private final SftpMetrics metrics;
    private final MeterRegistry meterRegistry;
    private final UserCas userCas;
    private volatile OffloadedPasswordAuth passwordChecks;
    private final LoginFactors loginFactors;
    /** The main port first, then sftp.listeners in order; empty when stopped. */
    private volatile List<DrainableSshServer> servers = List.of();

    SftpServer(SftpProperties properties, ServedHostKeys hostKeys, UserService users, ExternalIdentities identities, StorageBackends storage,
            SessionAdmission admission, LocalSessions sessions, ClusterHeartbeat heartbeat, SftpAudit audit, Transfers transfers,
            QuotaLedger ledger, KnownDigests knownDigests, SftpMetrics metrics, MeterRegistry meterRegistry, UserCas userCas,
            LoginFactors loginFactors) {
        this.userCas = userCas;
        this.loginFactors = loginFactors;
        this.properties = properties;
        this.hostKeys = hostKeys;
        this.users = users;
        this.identities = identities;
        this.storage = storage;
        this.admission = admission;
        this.sessions = sessions;
        this.heartbeat = heartbeat;
        this.audit = audit;
        this.transfers = transfers;
        this.ledger = ledger;
        this.knownDigests = knownDigests;
        this.metrics = metrics;
        this.meterRegistry = meterRegistry;
    }

    /** One SSH port of this instance and the crypto policy it serves. */
    private record Port(String setting, String host, int port, CryptoPolicy.Name policy) {
    }

    @Override
    public void start() {
        List<Port> ports = new ArrayList<>();
        ports.add(new Port("sftp", properties.host(), properties.port(), CryptoPolicy.named("sftp.crypto-policy", properties.cryptoPolicy())));
        for (int i = 0; i < properties.listeners().size(); i++) {
            SftpProperties.Listener listener = properties.listeners().get(i);
            String setting = "sftp.listeners[" + i + "]";
            ports.add(new Port(setting, listener.host() == null ? properties.host() : listener.host(), listener.port(),
                    CryptoPolicy.named(setting + ".crypto-policy", listener.cryptoPolicy())));
        }
        Shared shared = shared(new NegotiationFailures(meterRegistry));
        passwordChecks = shared.passwords();

        List<DrainableSshServer> started = new ArrayList<>();
        try {
            for (Port port : ports) {
                DrainableSshServer ssh = configured(port, shared);
                try {
                    ssh.start();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot listen for SFTP on " + port.host() + ":" + port.port() + " ("
                            + port.setting() + ")", e);
                }
                started.add(ssh);
                shared.negotiationFailures().served(port.policy(), ssh.getPort());
                log.info("SFTP listening on {}:{} with the {} crypto policy", port.host(), ssh.getPort(),
                        port.policy().name().toLowerCase(java.util.Locale.ROOT));
            }
        } catch (RuntimeException e) {
            started.forEach(SftpServer::stopQuietly);
            throw e;
        }
        servers = List.copyOf(started);
    }

    /** What every port shares: host keys, accounts, sessions and their limits, the SFTP subsystem. */
    private record Shared(ServedHostKeys hostKeys, AccountAuthenticator authenticator, PreAuthLimiter preAuth,
            ProxyProtocolAcceptor proxies, HomeSftpSubsystemFactory sftp, HomeFileSystemFactory files,
            NegotiationFailures negotiationFailures, OffloadedPasswordAuth passwords) {
    }

    private Shared shared(NegotiationFailures negotiationFailures) {
        hostKeys.load();
        AccessControl accessControl = new AccessControl(audit);
        HomeSftpSubsystemFactory sftp = new HomeSftpSubsystemFactory(new HomeFileSystemAccessor(transfers, ledger),
                accessControl, ledger, knownDigests);
        // SFTP event listeners, in the order they run: "-ing" vetoes first, so nothing is recorded for a refused request.
        sftp.addSftpEventListener(accessControl);
        sftp.addSftpEventListener(new AuditedOperations(audit));
        sftp.addSftpEventListener(metrics);
        sftp.setErrorStatusDataHandler(metrics.countingErrors(new SafeErrorMessages()));
        AccountAuthenticator authenticator = new AccountAuthenticator(users, identities, admission, userCas, loginFactors, Clock.systemUTC());
        return new Shared(hostKeys, authenticator,
                new PreAuthLimiter(properties.maxUnauthenticated(), properties.maxUnauthenticatedPerAddress()),
                properties.trustedProxies().isEmpty() ? null
                        : new ProxyProtocolAcceptor(dev.ferry.access.IpAllowList.of(properties.trustedProxies())),
                sftp, new HomeFileSystemFactory(storage), negotiationFailures,
                new OffloadedPasswordAuth(authenticator, properties.authThreads()));
    }

    private DrainableSshServer configured(Port port, Shared shared) {
        DrainableSshServer ssh = DrainableSshServer.create();
        ssh.setHost(port.host());
        ssh.setPort(port.port());
        CryptoPolicy.apply(ssh, port.policy());
        ssh.setKeyPairProvider(shared.hostKeys());
        // Every active host key is advertised after login and proved on request (OpenSSH's UpdateHostKeys);
        // Ferry's own prover replaces MINA's, see HostKeyProofs.
        List<RequestHandler<ConnectionService>> globalRequests = new ArrayList<>(ssh.getGlobalRequestHandlers());
        globalRequests.removeIf(handler -> handler instanceof org.apache.sshd.server.global.OpenSshHostKeysHandler);
        globalRequests.add(new HostKeyProofs(shared.hostKeys()));
        ssh.setGlobalRequestHandlers(globalRequests);

        ssh.setPublickeyAuthenticator((PublickeyAuthenticator) shared.authenticator());
        ssh.setPasswordAuthenticator(shared.passwords());
        ssh.setUserAuthFactories(List.of(
                new AdmittingPublicKeyAuthFactory(shared.authenticator()), UserAuthPasswordFactory.INSTANCE,
                UserAuthKeyboardInteractiveFactory.INSTANCE));
        // keyboard-interactive is only the TOTP step of the key+totp login policy (SecondFactor)
        ssh.setKeyboardInteractiveAuthenticator(shared.authenticator().secondFactor());
        ssh.setServiceFactories(List.of(new AuthAttemptLimit(properties.maxAuthAttempts(), properties.authTimeout(),
                        SecondFactor::pendingMethod),
                new ChannelLimit(properties.maxChannelsPerConnection())));
        if (shared.proxies() != null) {
            ssh.setServerProxyAcceptor(shared.proxies());
        }
        // Session listeners, in the order they run.
        ssh.addSessionListener(shared.preAuth());
        ssh.addSessionListener(admission);
        ssh.addSessionListener(metrics);
        ssh.addSessionListener(shared.negotiationFailures().listener(port.policy()));
        ssh.addSessionListener(new HostKeyAdvertisement(shared.hostKeys()));
        ssh.setGSSAuthenticator(null);
        ssh.setHostBasedAuthenticator(null);

        // SFTP only: no shell, no exec, no forwarding of any kind.
        ssh.setShellFactory(channel -> new SftpOnlyCommand());
        ssh.setCommandFactory((channel, command) -> new SftpOnlyCommand());
        ssh.setForwardingFilter(RejectAllForwardingFilter.INSTANCE);
        ssh.setAgentFactory(null);
        ssh.setSubsystemFactories(Collections.singletonList(shared.sftp()));
        ssh.setFileSystemFactory(shared.files());

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
        return ssh;
    }

    @Override
    public void stop() {
        List<DrainableSshServer> running = servers;
        if (!running.isEmpty()) {
            // Refuse new connections on every port, let transfers in progress finish, then end the sessions.
            GracefulStop.drain(running, this::busySessions, properties.shutdownGrace());
            GracefulStop.closeSessions(sessions.all().stream().map(FerrySession::serverSession).toList(), GRACEFUL_CLOSE);
        }
        heartbeat.shutdown();
        running.forEach(SftpServer::stopQuietly);
        if (passwordChecks != null) {
            passwordChecks.shutdown();
        }
        servers = List.of();
    }

    /** Sessions of this instance that are still open and have a transfer in progress. */
    private int busySessions() {
        return (int) sessions.all().stream().filter(s -> s.serverSession().isOpen() && !s.transfers().isEmpty()).count();
    }

    private static void stopQuietly(DrainableSshServer ssh) {
        try {
            ssh.stop(true);
        } catch (IOException e) {
            log.warn("SFTP server on port {} did not stop cleanly: {}", ssh.getPort(), e.toString());
        }
    }

    @Override
    public boolean isRunning() {
        return !servers.isEmpty() && servers.stream().allMatch(DrainableSshServer::isStarted);
    }

    /** The main port actually bound (differs from the configured one when that is 0). */
    public int port() {
        List<DrainableSshServer> running = servers;
        return running.isEmpty() ? -1 : running.get(0).getPort();
    }
}
