package io.jxrp.engine.backend;

import java.nio.file.Path;
import java.util.Objects;

/** What a backend opens for a target: a path (file, block device, NVMe generic device) or an NVMe namespace over SPDK. */
public sealed interface DeviceAddress {

    /** For logs and error messages. */
    String describe();

    /** A regular file, a block device or a character device, opened {@code O_DIRECT}. */
    record PathDevice(Path path) implements DeviceAddress {
        public PathDevice {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public String describe() {
            return path.toString();
        }
    }

    /**
     * Namespace {@code nsid} (unsigned) of the NVMe controller an SPDK transport ID names, e.g.
     * {@code trtype:TCP adrfam:IPv4 traddr:127.0.0.1 trsvcid:4420 subnqn:nqn.2016-06.io.spdk:cnode1}.
     */
    record SpdkNamespace(String transportId, int nsid) implements DeviceAddress {
        public SpdkNamespace {
            Objects.requireNonNull(transportId, "transportId");
            if (transportId.isBlank() || !transportId.equals(transportId.strip())) {
                throw new IllegalArgumentException("transport ID '" + transportId + "' is blank or has leading/trailing space");
            }
            if (nsid == 0 || nsid == -1) { // unsigned: 1 .. 0xFFFFFFFE, as NVMe defines them
                throw new IllegalArgumentException("namespace ID must be 1..4294967294, got "
                        + Integer.toUnsignedString(nsid));
            }
        }

        @Override
        public String describe() {
            return "spdk:" + transportId + " ns:" + Integer.toUnsignedString(nsid);
        }
    }
}
