package io.jxrp.bpfkv.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.jxrp.bpfkv.function.BpfFunctions;
import io.jxrp.ebpf.BtfLayout;
import io.jxrp.ebpf.BtfTypes;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** ScratchDescriptor's offsets against the layouts the eBPF object's BTF declares (bpfkv.c's structs). */
class ScratchLayoutTest {

    @Test
    void descriptorAgreesWithTheObjectsBtf() throws Exception {
        io.jxrp.testing.Requirements.require(BpfFunctions.isAvailable(), () -> "eBPF storage functions unavailable: " + BpfFunctions.unavailabilityCause());
        BtfTypes btf = BpfFunctions.object().btf();
        assertNull(ScratchDescriptor.layoutMismatch(btf));
        // what the host writes through the descriptor reads back through BTF, and the other way round
        BtfLayout get = btf.layout("bpfkv_get").orElseThrow();
        MemorySegment scratch = Arena.ofAuto().allocate(ScratchDescriptor.SCRATCH_SIZE);
        ScratchDescriptor.writeParams(scratch, new TreeLayout(3), new TreeLayout(3).fileSizeBytes());
        assertEquals(3, get.field("params.layers").getLong(scratch));
        assertEquals(new TreeLayout(3).valueLogOffset(), get.field("params.value_log").getLong(scratch));
        BtfLayout multi = btf.layout("bpfkv_multi_get").orElseThrow();
        multi.field("keys").index(7).setLong(scratch, 123_456);
        assertEquals(123_456, scratch.get(ScratchDescriptor.U64, ScratchDescriptor.multiKeyOffset(7)));
        assertEquals(ScratchDescriptor.MAX_PAIRS, btf.layout("bpfkv_range").orElseThrow().field("entries.pairs").type().length());
        assertEquals(ScratchDescriptor.MAX_AGGREGATE_ENTRIES,
                btf.layout("bpfkv_range").orElseThrow().field("entries.value_offsets").type().length());
    }
}
