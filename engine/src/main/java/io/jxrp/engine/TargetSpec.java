package io.jxrp.engine;

import io.jxrp.engine.backend.DeviceAddress;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What a target is, as users write it: a path (a regular file, a block device, an NVMe generic
 * device such as {@code /dev/ng0n1}) or an NVMe namespace reached through SPDK,
 * {@code spdk:<transport ID> [ns:N]}, e.g.
 * {@code spdk:trtype:TCP adrfam:IPv4 traddr:127.0.0.1 trsvcid:4420 subnqn:nqn.2016-06.io.spdk:cnode1 ns:1}
 * or {@code spdk:trtype:PCIe traddr:0000:01:00.0} (namespace 1 when {@code ns:} is left out).
 *
 * @param text   the spec as given (for messages)
 * @param device what a backend opens
 */
public record TargetSpec(String text, DeviceAddress device) {
    /** Prefix of SPDK namespace specs. */
    public static final String SPDK_PREFIX = "spdk:";

    public TargetSpec {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(device, "device");
    }

    /** A file, block device or character device. */
    public static TargetSpec of(Path path) {
        return new TargetSpec(path.toString(), new DeviceAddress.PathDevice(path));
    }

    /**
     * Parses a spec.
     *
     * @throws IllegalArgumentException naming what is wrong (an empty spec, an SPDK spec without a
     *     transport type or with a bad {@code ns:})
     */
    public static TargetSpec parse(String text) {
        Objects.requireNonNull(text, "text");
        String s = text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty target: give a file, a device or spdk:<transport ID> [ns:N]");
        }
        if (!s.startsWith(SPDK_PREFIX)) {
            return new TargetSpec(text, new DeviceAddress.PathDevice(Path.of(s)));
        }
        StringBuilder trid = new StringBuilder();
        int nsid = 1;
        boolean sawNs = false;
        boolean sawType = false;
        for (String word : s.substring(SPDK_PREFIX.length()).strip().split("\\s+")) {
            if (word.isEmpty()) {
                continue;
            }
            int colon = word.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("'" + word + "' in target '" + text + "' is not key:value");
            }
            String key = word.substring(0, colon).toLowerCase(java.util.Locale.ROOT);
            if (key.equals("ns")) {
                if (sawNs) {
                    throw new IllegalArgumentException("target '" + text + "' names ns: twice");
                }
                sawNs = true;
                try {
                    nsid = Integer.parseInt(word.substring(colon + 1));
                } catch (NumberFormatException e) {
                    nsid = 0;
                }
                if (nsid < 1) {
                    throw new IllegalArgumentException("'" + word + "' in target '" + text
                            + "': the namespace ID must be a number >= 1");
                }
                continue;
            }
            if (key.equals("trtype")) {
                sawType = true;
            }
            if (!trid.isEmpty()) {
                trid.append(' ');
            }
            trid.append(word);
        }
        if (!sawType) {
            throw new IllegalArgumentException("target '" + text
                    + "' has no trtype: (e.g. spdk:trtype:TCP adrfam:IPv4 traddr:127.0.0.1 trsvcid:4420 subnqn:...)");
        }
        return new TargetSpec(text, new DeviceAddress.SpdkNamespace(trid.toString(), nsid));
    }

    /** True for an SPDK namespace. */
    public boolean isSpdk() {
        return device instanceof DeviceAddress.SpdkNamespace;
    }

    /** The path of a path target, or null. */
    public Path path() {
        return device instanceof DeviceAddress.PathDevice(var p) ? p : null;
    }

    @Override
    public String toString() {
        return device.describe();
    }
}
