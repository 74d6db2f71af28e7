package dev.ferry.shared;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;

/**
 * Which addresses Ferry may connect to on an admin's or operator's behalf: event webhooks, the
 * SFTP auth hook (against SSRF: a URL pointing Ferry at the cloud's metadata service or an internal
 * admin port). As HttpClient's {@link DnsResolver}, it answers only the permitted addresses of a
 * name, so the client connects only to addresses checked here, after the lookup it uses (no second
 * lookup that DNS rebinding could answer differently).
 */
public final class TargetAddresses implements DnsResolver {

    private final boolean allowPrivate;
    private final String hint;
    private final DnsResolver dns;

    /** {@code setting} is the property allowing private targets, named in refusals. */
    public TargetAddresses(boolean allowPrivate, String setting) {
        this(allowPrivate, setting, SystemDefaultDnsResolver.INSTANCE);
    }

    public TargetAddresses(boolean allowPrivate, String setting, DnsResolver dns) {
        this.allowPrivate = allowPrivate;
        this.hint = hint(setting);
        this.dns = dns;
    }

    /** "set {@code setting}=true to allow such targets". */
    public static String hint(String setting) {
        return "set " + setting + "=true to allow such targets";
    }

    /**
     * Why a URL's host may not be connected to when it is an IP address written out (judged without
     * a lookup), or null if it may or is a name (names are judged at each connection by {@link #resolve}).
     */
    public static String literalRefusal(String host) {
        if (!(host.startsWith("[") || host.matches("[0-9.]+"))) {
            return null;
        }
        try {
            return refusal(InetAddress.getByName(host));
        } catch (UnknownHostException e) {
            return "invalid";
        }
    }

    /** Why Ferry must not connect to this address, or null if it may. */
    public static String refusal(InetAddress address) {
        if (address.isAnyLocalAddress()) {
            return "unspecified";
        }
        if (address.isLoopbackAddress()) {
            return "loopback";
        }
        if (address.isLinkLocalAddress()) {
            return "link-local";
        }
        if (address.isSiteLocalAddress()) {
            return "private";
        }
        if (address.isMulticastAddress()) {
            return "multicast";
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            if (first == 0) {
                return "unspecified";
            }
            if (first == 100 && (second & 0xc0) == 64) {
                return "private"; // 100.64.0.0/10, carrier-grade NAT
            }
            if (first >= 240) {
                return "reserved";
            }
        } else if (address instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) {
                return "unique-local"; // fc00::/7
            }
            if (b[0] == 0x00 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b) {
                // 64:ff9b::/96, NAT64: judged by the IPv4 address it carries
                try {
                    return refusal(InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16)));
                } catch (UnknownHostException e) {
                    return "reserved";
                }
            }
        }
        return null;
    }

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        InetAddress[] all = dns.resolve(host);
        if (allowPrivate) {
            return all;
        }
        List<InetAddress> permitted = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (InetAddress address : all) {
            String why = refusal(address);
            if (why == null) {
                permitted.add(address);
            } else {
                refused.add(address.getHostAddress() + " (" + why + ")");
            }
        }
        if (permitted.isEmpty()) {
            throw new UnknownHostException("refused target " + host + ": it is " + String.join(", ", refused) + "; " + hint);
        }
        return permitted.toArray(InetAddress[]::new);
    }

    @Override
    public String resolveCanonicalHostname(String host) throws UnknownHostException {
        return dns.resolveCanonicalHostname(host);
    }
}
