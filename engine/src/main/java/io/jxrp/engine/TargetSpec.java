package io.jxrp.engine;

import io.jxrp.engine.backend.DeviceAddress;
import io.jxrp.nvme.spdk.TransportId;
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
    /** Prefix of SPDK namespace specs (matched in any case). */
    public static final String SPDK_PREFIX = TransportId.PREFIX;

    public TargetSpec {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(device, "device");
    }

    /** A file, block device or character device. */
    public static TargetSpec of(Path path) {
        return new TargetSpec(path.toString(), new DeviceAddress.PathDevice(path));
    }

    /**
     * Parses a spec: {@code spdk:...} (any case, leading blanks ignored) is an SPDK namespace, parsed
     * and checked by {@link TransportId#parse} (the one set of rules for transport IDs: known keys,
     * {@code trtype} and {@code traddr} present, {@code trsvcid} and {@code subnqn} for fabrics, a valid
     * {@code ns:}); anything else is a path.
     *
     * @throws IllegalArgumentException naming what is wrong (an empty spec, or the transport ID's problem)
     */
    public static TargetSpec parse(String text) {
        Objects.requireNonNull(text, "text");
        String s = text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty target: give a file, a device or spdk:<transport ID> [ns:N]");
        }
        if (!TransportId.isSpdkTarget(s)) {
            return new TargetSpec(text, new DeviceAddress.PathDevice(Path.of(s)));
        }
        TransportId id = TransportId.parse(s);
        return new TargetSpec(text, new DeviceAddress.SpdkNamespace(id.controllerString(), id.nsid()));
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
