package io.jxrp.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Messages that used to mislead (issue 15): they name the right register, region and size. */
class ErrorMessagesTest {

    private static BpfLoadException rejected(String asm) {
        return assertThrows(BpfLoadException.class, () -> BpfProgram.create("test", Asm.assemble(asm), List.of()));
    }

    @Test
    void stackAccessesNameR10AndTheOffsetApart() {
        BpfLoadException above = rejected("stb [r10+0], 1\nmov r0, 0\nexit");
        assertTrue(above.getMessage().contains("stack access at r10 + 0 (1 B) outside the 512 B frame"), above.getMessage());
        BpfLoadException below = rejected("stb [r10-513], 1\nmov r0, 0\nexit");
        assertTrue(below.getMessage().contains("stack access at r10 - 513 (1 B)"), below.getMessage());
    }

    @Test
    void aFaultJustBelowARegionNamesThatRegion() {
        BpfMachine m = new BpfMachine(ExecutionMode.INTERPRETER);
        m.bind(Region.DATA, MemorySegment.ofArray(new byte[16]));
        m.bind(Region.SCRATCH, MemorySegment.ofArray(new byte[64]));
        BpfProgram program = VmTestSupport.program("ldxb r0, [r1-1]\nexit");
        BpfFault belowScratch = assertThrows(BpfFault.class, () -> m.run(program, m.address(Region.SCRATCH), 0));
        assertTrue(belowScratch.reason().contains("1 B before the start of SCRATCH (64 B)"), belowScratch.reason());
        BpfFault belowData = assertThrows(BpfFault.class, () -> m.run(program, m.address(Region.DATA), 0));
        assertTrue(belowData.reason().contains("1 B before the start of DATA (16 B)"), belowData.reason());
        BpfProgram past = VmTestSupport.program("ldxb r0, [r1+20]\nexit");
        BpfFault pastData = assertThrows(BpfFault.class, () -> m.run(past, m.address(Region.DATA), 0));
        assertTrue(pastData.reason().contains("outside DATA (16 B): 4 B past its end"), pastData.reason());
    }

    @Test
    void aMapValueTooBigForClangsBtfIsNamedAsSuch() {
        byte[] object = TestObjects.bytes("oversized_map");
        BpfLoadException e = assertThrows(BpfLoadException.class, () -> BpfObject.load("oversized_map.o", object));
        assertTrue(e.getMessage().contains("struct huge is declared 0 B but member bytes ends at 1073741824 B"), e.getMessage());
        assertEquals(-1, e.getMessage().indexOf("value size 0"), e.getMessage());
    }
}
