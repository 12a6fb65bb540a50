package io.jxrp.nvme.spdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TransportIdTest {
    private static final String TCP = "trtype:TCP adrfam:IPv4 traddr:127.0.0.1 trsvcid:4420 subnqn:nqn.2016-06.io.spdk:cnode1";

    @Test
    void parsesTcpWithNamespaceAndNormalisesWhitespace() {
        TransportId id = TransportId.parse("  spdk:trtype:TCP\tadrfam=IPv4  traddr:127.0.0.1 trsvcid:4420 "
                + "subnqn:nqn.2016-06.io.spdk:cnode1 ns:3   ");
        assertEquals(3, id.nsid());
        assertEquals(TCP, id.controllerString()); // no trailing space: SPDK's parser refuses one
        assertEquals("spdk:" + TCP + " ns:3", id.toString());
        assertEquals(id, TransportId.parse(id.toString()));
        assertFalse(id.isPcie());
    }

    @Test
    void pcieDefaultsToNamespaceOne() {
        TransportId id = TransportId.parse("spdk:trtype:PCIe traddr:0000:01:00.0");
        assertEquals(1, id.nsid());
        assertTrue(id.isPcie());
        assertEquals("0000:01:00.0", id.fields().get("traddr"));
        assertEquals(5, TransportId.parse("trtype:pcie traddr:0000:01:00.0 ns:5").nsid());
    }

    @Test
    void recognisesTargetNames() {
        assertTrue(TransportId.isSpdkTarget("spdk:trtype:PCIe traddr:0000:01:00.0"));
        assertTrue(TransportId.isSpdkTarget(" SPDK:trtype:PCIe traddr:0000:01:00.0"));
        assertFalse(TransportId.isSpdkTarget("/dev/nvme0n1"));
        assertFalse(TransportId.isSpdkTarget("spdk.db"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "spdk:", "spdk:   ", "spdk:traddr:127.0.0.1", "spdk:trtype:TCP traddr:127.0.0.1 subnqn:x",
        "spdk:trtype:TCP traddr:127.0.0.1 trsvcid:4420", "spdk:trtype:XYZ traddr:1", "spdk:trtype:PCIe",
        "spdk:trtype:PCIe traddr:0000:01:00.0 ns:0", "spdk:trtype:PCIe traddr:0000:01:00.0 ns:x",
        "spdk:trtype:PCIe traddr:0000:01:00.0 ns:1 ns:2", "spdk:trtype:PCIe traddr:0000:01:00.0 traddr:0000:02:00.0",
        "spdk:trtype:PCIe traddr:0000:01:00.0 colour:blue", "spdk:trtype:PCIe traddr:0000:01:00.0 bare",
        "spdk:trtype:PCIe traddr:", "spdk:trtype:TCP traddr:127.0.0.1 trsvcid:4420 subnqn:x hostnqn:y",
        "spdk:trtype:PCIe traddr:0000:01:00.0 ns:4294967295"})
    void refusesBadInputWithAReason(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TransportId.parse(text));
        assertTrue(e.getMessage().length() > 10, e.getMessage());
    }

    @Test
    void spdksOwnParserAgreesWithTheNormalisedString() {
        assumeTrue(Spdk.isAvailable(), () -> "SPDK shim unavailable: " + Spdk.unavailabilityCause());
        TransportId id = TransportId.parse("spdk:" + TCP + "   ns:2 ");
        assertEquals(0, SpdkShim.jxrp_spdk_trid_check(id.controllerString()));
        assertEquals(-22, SpdkShim.jxrp_spdk_trid_check("trtype:TCP traddr:127.0.0.1 bogus"));
    }
}
