package io.jxrp.nvme.spdk;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * An NVMe namespace named by an SPDK transport ID and a namespace ID:
 * {@code spdk:trtype:TCP adrfam:IPv4 traddr:127.0.0.1 trsvcid:4420 subnqn:nqn.2016-06.io.spdk:cnode1 ns:1}
 * or {@code spdk:trtype:PCIe traddr:0000:01:00.0} (namespace 1 when {@code ns:} is absent).
 *
 * <p>Pairs are {@code key:value} or {@code key=value}, separated by any whitespace; keys are
 * case-insensitive (SPDK's own rules). The ID is normalised (single spaces, no trailing space:
 * SPDK's parser refuses a transport ID string that ends in a space) and checked here so that bad
 * input is a clear error before SPDK sees it: an unknown or repeated key, a missing
 * {@code trtype}/{@code traddr}, or, for fabrics, a missing {@code trsvcid}/{@code subnqn}.
 *
 * @param fields the transport ID's pairs in the order given, keys lower-case, without {@code ns}
 * @param nsid the namespace ID, 1..0xFFFFFFFE
 */
public record TransportId(Map<String, String> fields, int nsid) {
    /** The prefix that marks an SPDK target among target names. */
    public static final String PREFIX = "spdk:";

    private static final Set<String> KEYS = Set.of("trtype", "adrfam", "traddr", "trsvcid", "subnqn", "priority",
            "alt_traddr");
    private static final Set<String> HOST_KEYS = Set.of("hostnqn", "hostaddr", "hostsvcid");
    private static final Set<String> TRTYPES = Set.of("pcie", "tcp", "rdma", "fc", "vfiouser");

    public TransportId {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        if (Integer.compareUnsigned(nsid, 1) < 0 || Integer.compareUnsigned(nsid, 0xFFFFFFFE) > 0) {
            throw new IllegalArgumentException("namespace ID must be 1..4294967294, got " + Integer.toUnsignedString(nsid));
        }
    }

    /** True when {@code name} starts with {@code spdk:} (leading whitespace ignored). */
    public static boolean isSpdkTarget(String name) {
        return name.stripLeading().regionMatches(true, 0, PREFIX, 0, PREFIX.length());
    }

    /**
     * Parses {@code spdk:<transport ID> [ns:N]} (the {@code spdk:} prefix may be left out).
     *
     * @throws IllegalArgumentException naming what is wrong and the input
     */
    public static TransportId parse(String text) {
        String body = text.strip();
        if (isSpdkTarget(body)) {
            body = body.substring(PREFIX.length()).strip();
        }
        if (body.isEmpty()) {
            throw new IllegalArgumentException("empty SPDK transport ID in '" + text + "'; expected e.g. "
                    + "'spdk:trtype:TCP adrfam:IPv4 traddr:127.0.0.1 trsvcid:4420 subnqn:nqn.2016-06.io.spdk:cnode1 ns:1'");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        int nsid = 1;
        boolean nsGiven = false;
        for (String pair : body.split("\\s+")) {
            int sep = firstSeparator(pair);
            if (sep <= 0 || sep == pair.length() - 1) {
                throw new IllegalArgumentException("'" + pair + "' is not key:value in SPDK transport ID '" + text + "'");
            }
            String key = pair.substring(0, sep).toLowerCase(Locale.ROOT);
            String value = pair.substring(sep + 1);
            if (key.equals("ns")) {
                if (nsGiven) {
                    throw new IllegalArgumentException("ns given twice in '" + text + "'");
                }
                nsGiven = true;
                try {
                    nsid = Integer.parseUnsignedInt(value);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("ns:" + value + " is not a namespace ID in '" + text + "'", e);
                }
                if (nsid == 0 || nsid == -1) {
                    throw new IllegalArgumentException("ns:" + value + " is not a namespace ID (1..4294967294) in '"
                            + text + "'");
                }
                continue;
            }
            if (HOST_KEYS.contains(key)) {
                throw new IllegalArgumentException(key + " (host identity) is not supported in '" + text + "'");
            }
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown key '" + key + "' in SPDK transport ID '" + text
                        + "'; known: trtype adrfam traddr trsvcid subnqn priority alt_traddr, and ns");
            }
            if (fields.putIfAbsent(key, value) != null) {
                throw new IllegalArgumentException(key + " given twice in '" + text + "'");
            }
        }
        String trtype = fields.get("trtype");
        if (trtype == null) {
            throw new IllegalArgumentException("SPDK transport ID '" + text + "' has no trtype (PCIe, TCP, RDMA, ...)");
        }
        if (!TRTYPES.contains(trtype.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("unknown trtype '" + trtype + "' in '" + text
                    + "'; known: PCIe TCP RDMA FC VFIOUSER");
        }
        if (!fields.containsKey("traddr")) {
            throw new IllegalArgumentException("SPDK transport ID '" + text + "' has no traddr");
        }
        boolean fabric = !trtype.equalsIgnoreCase("pcie") && !trtype.equalsIgnoreCase("vfiouser");
        if (fabric && (!fields.containsKey("trsvcid") || !fields.containsKey("subnqn"))) {
            throw new IllegalArgumentException("NVMe-oF transport ID '" + text + "' needs trsvcid and subnqn");
        }
        return new TransportId(fields, nsid);
    }

    private static int firstSeparator(String pair) {
        int colon = pair.indexOf(':');
        int equals = pair.indexOf('=');
        if (colon < 0) {
            return equals;
        }
        return equals < 0 ? colon : Math.min(colon, equals);
    }

    /** {@code trtype} as given. */
    public String trtype() {
        return fields.get("trtype");
    }

    /** True for a local PCIe controller (the environment must then probe PCI). */
    public boolean isPcie() {
        return trtype().equalsIgnoreCase("pcie");
    }

    /** The controller's transport ID as SPDK parses it: single spaces, no {@code ns}, no trailing space. */
    public String controllerString() {
        StringJoiner joiner = new StringJoiner(" ");
        fields.forEach((k, v) -> joiner.add(k + ":" + v));
        return joiner.toString();
    }

    /** The same transport ID with another namespace. */
    public TransportId withNsid(int otherNsid) {
        return new TransportId(fields, otherNsid);
    }

    /** {@code spdk:<transport ID> ns:N}, which {@link #parse} reads back. */
    @Override
    public String toString() {
        return PREFIX + controllerString() + " ns:" + Integer.toUnsignedString(nsid);
    }
}
