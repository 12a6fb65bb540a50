package io.jxrp.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jxrp.engine.backend.DeviceAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Target specs: paths, and SPDK namespaces parsed by the nvme-native transport ID rules. */
class TargetSpecTest {
    private static final String TCP = "trtype:TCP adrfam:IPv4 traddr:127.0.0.1 trsvcid:4420 subnqn:nqn.2016-06.io.spdk:cnode1";

    @Test
    void aPathIsAPathDevice() {
        TargetSpec spec = TargetSpec.parse(" data/kv4.db ");
        assertFalse(spec.isSpdk());
        assertEquals(Path.of("data/kv4.db"), spec.path());
        assertEquals(new DeviceAddress.PathDevice(Path.of("data/kv4.db")), spec.device());
        assertFalse(TargetSpec.parse("spdk.db").isSpdk(), "a file named spdk... is a file");
    }

    @Test
    void anSpdkSpecIsANormalisedNamespace() {
        TargetSpec spec = TargetSpec.parse("  SPDK:trtype:TCP\tadrfam=IPv4  traddr:127.0.0.1 trsvcid:4420 "
                + "subnqn:nqn.2016-06.io.spdk:cnode1   ns:3 ");
        assertTrue(spec.isSpdk());
        assertNull(spec.path());
        assertEquals(new DeviceAddress.SpdkNamespace(TCP, 3), spec.device());
        assertEquals("spdk:" + TCP + " ns:3", spec.toString());
        assertEquals(spec.device(), TargetSpec.parse(spec.toString()).device(), "toString parses back");
        assertEquals(new DeviceAddress.SpdkNamespace("trtype:PCIe traddr:0000:01:00.0", 1),
                TargetSpec.parse("spdk:trtype:PCIe traddr:0000:01:00.0").device(), "ns:1 by default");
    }

    @Test
    void largeNamespaceIdsAreUnsigned() {
        TargetSpec spec = TargetSpec.parse("spdk:" + TCP + " ns:4294967294");
        assertEquals("spdk:" + TCP + " ns:4294967294", spec.toString());
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(delimiter = '|', value = {
            "''                                                   | empty target",
            "'   '                                                | empty target",
            "spdk:                                                | empty SPDK transport ID",
            "spdk:traddr:127.0.0.1 trsvcid:4420 subnqn:x          | has no trtype",
            "spdk:trtype:TCP traddr:127.0.0.1                     | needs trsvcid and subnqn",
            "spdk:trtype:PCIe                                     | has no traddr",
            "spdk:trtype:PCIe traddr:0000:01:00.0 ns:0            | not a namespace ID",
            "spdk:trtype:PCIe traddr:0000:01:00.0 ns:x            | not a namespace ID",
            "spdk:trtype:PCIe traddr:0000:01:00.0 ns:1 ns:2       | ns given twice",
            "spdk:trtype:PCIe traddr:0000:01:00.0 colour:blue     | unknown key 'colour'",
            "spdk:trtype:PCIe traddr:0000:01:00.0 justaword       | not key:value",
            "spdk:trtype:SCSI traddr:x                            | unknown trtype",
    })
    void badSpecsSayWhatIsWrong(String text, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TargetSpec.parse(text));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
