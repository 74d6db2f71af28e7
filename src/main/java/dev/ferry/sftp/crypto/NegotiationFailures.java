package dev.ferry.sftp.crypto;

import dev.ferry.sftp.transport.ClientAddress;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the operator why a client could not agree on algorithms, and what would let it in. MINA
 * only logs its own mismatch, per connection; the partner sees "Unable to exchange encryption
 * keys". A failed negotiation is logged at WARN once per client address and version, with what the
 * client offered and which of Ferry's policies would admit it (and on which of this instance's
 * ports that policy is served), and counted in {@code ferry_sftp_negotiation_failures_total} by
 * {@code admitting_policy} (modern, compatible, fips, or none). The set of (address, version) pairs
 * already logged is bounded: the oldest is forgotten first.
 */
public final class NegotiationFailures {

    private static final Logger log = LoggerFactory.getLogger(NegotiationFailures.class);
    static final int REMEMBERED = 1_000;
    private static final List<KexProposalOption> SHOWN = List.of(KexProposalOption.ALGORITHMS, KexProposalOption.SERVERKEYS,
            KexProposalOption.C2SENC, KexProposalOption.C2SMAC);

    private final Map<CryptoPolicy.Name, List<Integer>> servedOn = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Counter> counters = new LinkedHashMap<>();
    private final Set<String> logged = Collections.newSetFromMap(Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    }));

    public NegotiationFailures(MeterRegistry registry) {
        for (String policy : List.of("modern", "compatible", "fips", "none")) {
            counters.put(policy, Counter.builder("ferry.sftp.negotiation.failures").tag("admitting_policy", policy)
                    .description("SSH connections whose algorithms matched nothing the listener's policy offers, by the first "
                            + "of Ferry's policies (modern, compatible, fips) that would have admitted them, or none")
                    .register(registry));
        }
    }

    /** Notes that this instance serves {@code policy} on {@code port} (the port bound), for the advice logged. */
    public void served(CryptoPolicy.Name policy, int port) {
        servedOn.computeIfAbsent(policy, p -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(port);
    }

    /** The session listener of one SSH port, serving {@code policy}. */
    public SessionListener listener(CryptoPolicy.Name policy) {
        return new SessionListener() {
            @Override
            public void sessionNegotiationEnd(Session session, Map<KexProposalOption, String> clientProposal,
                    Map<KexProposalOption, String> serverProposal, Map<KexProposalOption, String> negotiatedOptions, Throwable reason) {
                if (reason != null && session instanceof ServerSession server) {
                    failed(server, policy, clientProposal);
                }
            }
        };
    }

    private void failed(ServerSession session, CryptoPolicy.Name policy, Map<KexProposalOption, String> client) {
        List<String> hostKeyTypes = new ArrayList<>();
        try {
            session.getKeyPairProvider().getKeyTypes(session).forEach(hostKeyTypes::add);
        } catch (Exception e) {
            log.debug("Could not list the host key types: {}", e.toString());
        }
        Map<CryptoPolicy.Name, KexProposalOption> mismatches = new EnumMap<>(CryptoPolicy.Name.class);
        for (CryptoPolicy.Name name : CryptoPolicy.Name.values()) {
            mismatches.put(name, CryptoPolicy.mismatch(CryptoPolicy.offer(name, hostKeyTypes), client));
        }
        List<CryptoPolicy.Name> admitting = mismatches.entrySet().stream().filter(e -> e.getValue() == null).map(Map.Entry::getKey)
                .toList();
        String admittedBy = admitting.isEmpty() ? "none" : lower(admitting.get(0));
        counters.get(admittedBy).increment();

        InetAddress address = ClientAddress.of(session);
        String from = address == null ? "an unknown address" : address.getHostAddress();
        String version = printable(session.getClientVersion(), 120);
        if (!logged.add(from + "\n" + version)) {
            return;
        }
        KexProposalOption missing = mismatches.get(policy);
        Object port = session.getIoSession().getLocalAddress() instanceof java.net.InetSocketAddress local ? local.getPort() : "?";
        StringBuilder offered = new StringBuilder();
        for (KexProposalOption option : SHOWN) {
            offered.append(offered.isEmpty() ? "" : "; ").append(option.getDescription()).append(": ")
                    .append(printable(client.get(option), 600));
        }
        log.warn("SSH key exchange failed with {} from {} on port {} (crypto policy {}): {}. {} The client offered {}. "
                        + "(Logged once per client address and version.)", version, from, port, lower(policy),
                missing == null ? "no agreement" : "no common " + missing.getDescription(), advice(admitting), offered);
    }

    private String advice(List<CryptoPolicy.Name> admitting) {
        if (admitting.isEmpty()) {
            return "None of Ferry's policies would admit it (it lacks what every policy requires: no SHA-1, no CBC); "
                    + "the client needs an update.";
        }
        CryptoPolicy.Name first = admitting.get(0);
        String policies = String.join(", ", admitting.stream().map(NegotiationFailures::lower).toList());
        List<Integer> ports = servedOn.getOrDefault(first, List.of());
        return "These policies would admit it: " + policies + "; " + (ports.isEmpty()
                ? "no port of this instance serves " + lower(first) + " (a second port can: sftp.listeners[0].port and "
                        + "sftp.listeners[0].crypto-policy=" + lower(first) + ")."
                : "this instance serves " + lower(first) + " on its port " + ports.get(0) + ".");
    }

    private static String lower(CryptoPolicy.Name name) {
        return name.name().toLowerCase(Locale.ROOT);
    }

    private static String printable(String text, int max) {
        if (text == null) {
            return "(nothing)";
        }
        String p = text.replaceAll("[^\\x20-\\x7e]", "?");
        return p.length() > max ? p.substring(0, max) + "..." : p;
    }
}
