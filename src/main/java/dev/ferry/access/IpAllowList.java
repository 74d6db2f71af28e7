package dev.ferry.access;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Addresses a user may connect from: CIDRs or single addresses, IPv4 or IPv6. An IPv4-mapped IPv6
 * address ({@code ::ffff:192.0.2.1}) matches the IPv4 rule. Empty means any address.
 */
public final class IpAllowList {

    private record Block(byte[] network, int prefix) {

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    /** Starts like the JDK's literal parser expects: anything else it would look up as a host name. */
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:][0-9A-Fa-f:.]*");
    private static final Pattern PREFIX = Pattern.compile("[0-9]{1,3}");
    public static final IpAllowList ANY = new IpAllowList(List.of());

    private final List<Block> blocks;

    private IpAllowList(List<Block> blocks) {
        this.blocks = blocks;
    }

    public static IpAllowList of(Collection<String> cidrs) {
        List<Block> blocks = new ArrayList<>();
        for (String cidr : cidrs) {
            blocks.add(parse(cidr));
        }
        return new IpAllowList(List.copyOf(blocks));
    }

    public boolean isEmpty() {
        return blocks.isEmpty();
    }

    public boolean allows(InetAddress address) {
        if (blocks.isEmpty()) {
            return true;
        }
        byte[] bytes = canonical(address);
        return blocks.stream().anyMatch(b -> b.contains(bytes));
    }

    /**
     * Parses and normalises one entry; never resolves host names.
     *
     * @throws IllegalArgumentException with a reason, for anything that is not an address or CIDR
     */
    public static String normalise(String cidr) {
        Block block = parse(cidr);
        try {
            String address = InetAddress.getByAddress(block.network()).getHostAddress();
            int bits = block.network().length * 8;
            return block.prefix() == bits ? address : address + "/" + block.prefix();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static Block parse(String cidr) {
        if (cidr == null) {
            throw new IllegalArgumentException("empty address");
        }
        String text = cidr.strip();
        String address = text;
        Integer prefix = null;
        int slash = text.indexOf('/');
        if (slash >= 0) {
            address = text.substring(0, slash);
            String digits = text.substring(slash + 1);
            if (!PREFIX.matcher(digits).matches()) {
                throw new IllegalArgumentException("invalid prefix length");
            }
            prefix = Integer.parseInt(digits);
        }
        boolean v4 = IPV4.matcher(address).matches();
        boolean v6 = !v4 && address.contains(":") && IPV6.matcher(address).matches();
        if (!v4 && !v6) {
            throw new IllegalArgumentException("not an IP address");
        }
        String dotted = address.substring(address.lastIndexOf(':') + 1);
        if (dotted.contains(".")) {
            for (String octet : dotted.split("\\.")) {
                if (octet.length() > 1 && octet.charAt(0) == '0') {
                    // 010 is 8 to some tools and 10 to others: refuse rather than guess.
                    throw new IllegalArgumentException("IPv4 octet with a leading zero");
                }
                if (v4 && Integer.parseInt(octet) > 255) {
                    throw new IllegalArgumentException("IPv4 octet above 255");
                }
            }
        }
        InetAddress parsed;
        try {
            parsed = InetAddress.getByName(address); // a literal: no lookup happens
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address");
        }
        int maxPrefix = v4 ? 32 : 128;
        int bits = prefix == null ? maxPrefix : prefix;
        if (bits < 0 || bits > maxPrefix) {
            throw new IllegalArgumentException("prefix length must be 0 to " + maxPrefix);
        }
        byte[] network = parsed.getAddress();
        if (v6 && parsed instanceof Inet4Address) {
            // Java maps ::ffff:a.b.c.d to IPv4: the prefix counts the 96 mapping bits.
            if (bits < 96) {
                throw new IllegalArgumentException("an IPv4-mapped prefix must be 96 or longer");
            }
            bits -= 96;
        }
        return new Block(mask(network, bits), bits);
    }

    private static byte[] mask(byte[] address, int prefix) {
        byte[] masked = Arrays.copyOf(address, address.length);
        for (int i = 0; i < masked.length; i++) {
            int bitsHere = Math.max(0, Math.min(8, prefix - i * 8));
            masked[i] = (byte) (masked[i] & ((0xff << (8 - bitsHere)) & 0xff));
        }
        return masked;
    }

    private static byte[] canonical(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (address instanceof Inet6Address && isV4Mapped(bytes)) {
            return Arrays.copyOfRange(bytes, 12, 16);
        }
        return bytes;
    }

    private static boolean isV4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    }
}
