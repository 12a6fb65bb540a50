package io.jxrp.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hostile programs at run time: every violation ends in a clean {@link BpfFault}, the machine stays usable. */
abstract class FaultContract extends VmTestSupport {

    private BpfFault fault(String asm, byte[] memory) {
        return assertThrows(BpfFault.class, () -> run(asm, memory));
    }

    @Test
    void outOfBoundsLoadNamesPcInstructionAndReason() {
        BpfFault f = fault("mov r0, 0\nldxdw r0, [r1+9]\nexit", new byte[16]);
        assertEquals(BpfFault.Kind.MEMORY, f.kind());
        assertEquals(1, f.pc());
        assertEquals("r0 = *(u64 *)(r1 +9)", f.instruction());
        assertTrue(f.reason().contains("outside DATA (16 B)"), f.reason());
        assertTrue(f.getMessage().startsWith("fault at pc 1 (r0 = *(u64 *)(r1 +9)): "), f.getMessage());
    }

    @Test
    void loadsBeforeTheRegionStartFault() {
        assertEquals(BpfFault.Kind.MEMORY, fault("ldxb r0, [r1-1]\nexit", new byte[16]).kind());
        assertEquals(BpfFault.Kind.MEMORY, fault("stb [r1+16], 1\nexit", new byte[16]).kind());
        assertEquals(BpfFault.Kind.MEMORY, fault("stw [r1+13], 1\nexit", new byte[16]).kind());
    }

    @Test
    void nullAndForgedPointersFault() {
        assertTrue(fault("mov r1, 0\nldxw r0, [r1+0]\nexit", new byte[8]).reason().contains("unmapped"));
        assertTrue(fault("lddw r1, 0x7700000000\nstdw [r1+0], 1\nexit", new byte[8]).reason().contains("unmapped"));
        assertTrue(fault("mov r1, -1\nldxb r0, [r1+0]\nexit", new byte[8]).reason().contains("unmapped"));
        // Walking off the bottom of the stack region.
        assertEquals(BpfFault.Kind.MEMORY, fault("mov r1, r10\nsub r1, 4097\nldxb r0, [r1+0]\nexit", new byte[8]).kind());
        assertEquals(BpfFault.Kind.MEMORY, fault("mov r1, r10\nstb [r1+0], 1\nexit", new byte[8]).kind());
    }

    @Test
    void readOnlyMemoryRejectsStores() {
        BpfMachine m = machine();
        m.bind(Region.DATA, MemorySegment.ofArray(new byte[8]).asReadOnly());
        BpfProgram p = program("stb [r1+0], 1\nmov r0, 0\nexit");
        BpfFault f = assertThrows(BpfFault.class, () -> m.run(p, m.address(Region.DATA)));
        assertTrue(f.reason().contains("read-only DATA"), f.reason());
        assertEquals(3, m.run(program("ldxb r0, [r1+0]\nadd r0, 3\nexit"), m.address(Region.DATA)));
    }

    @Test
    void rodataIsReadOnlyForPrograms() throws BpfLoadException {
        BpfArrayMap rodata = new BpfArrayMap(".rodata", 16, 1, true);
        BpfProgram p = BpfProgram.create("ro", Asm.assemble("lddw r1, mapval 0, 0\nstb [r1+0], 1\nexit"), List.of(rodata));
        BpfFault f = assertThrows(BpfFault.class, () -> machine().run(p, 0));
        assertTrue(f.reason().contains("read-only map .rodata"), f.reason());
    }

    @Test
    void endlessLoopExhaustsTheBudget() {
        BpfMachine m = new BpfMachine(mode(), 10_000);
        BpfProgram p = program("mov r0, 0\nloop:\nadd r0, 1\njne r0, 0, loop\nexit");
        BpfFault f = assertThrows(BpfFault.class, () -> m.run(p, 0));
        assertEquals(BpfFault.Kind.BUDGET, f.kind());
        assertTrue(f.reason().contains("10000"), f.reason());
        assertEquals(10_000, m.lastInstructionCount());
        m.setInstructionBudget(5);
        assertEquals(7, m.run(program("mov r0, 7\nexit"), 0));
        assertEquals(2, m.lastInstructionCount());
    }

    @Test
    void budgetCountsEveryExecutedInstruction() {
        BpfMachine m = machine();
        m.run(program("mov r0, 0\nloop:\nadd r0, 1\njlt r0, 10, loop\nexit"), 0);
        assertEquals(1 + 2 * 10 + 1, m.lastInstructionCount());
    }

    /**
     * The count at a fault is per basic block: the faulting instruction's block is charged whole, and
     * so is the caller's block around a local call (lddw, two slots, one instruction).
     */
    @Test
    void faultInACalleeLeavesThePerBlockCount() {
        BpfMachine m = machine();
        String asm = """
                lddw r2, 0x1122334455667788
                mov r0, 0
                call local fn
                lddw r3, 5
                add r0, r3
                exit
                fn:
                mov r0, 1
                ldxdw r0, [r1+100]
                mov r0, 2
                exit""";
        BpfProgram p = program(asm);
        m.bind(Region.DATA, MemorySegment.ofArray(new byte[16]));
        assertEquals(BpfFault.Kind.MEMORY, assertThrows(BpfFault.class, () -> m.run(p, m.address(Region.DATA))).kind());
        assertEquals(6 + 4, m.lastInstructionCount());
        // the load in bounds: each instruction once, the same count
        m.bind(Region.DATA, MemorySegment.ofArray(new byte[128]));
        assertEquals(2 + 5, m.run(p, m.address(Region.DATA)));
        assertEquals(6 + 4, m.lastInstructionCount());
    }

    /** A loop in a callee runs out of budget with the caller's block (charged at its entry) counted. */
    @Test
    void budgetInACalleeCountsTheCallersBlock() {
        String asm = """
                mov r0, 0
                call local fn
                mov r1, 1
                mov r1, 2
                exit
                fn:
                mov r0, 0
                loop:
                add r0, 1
                jlt r0, 3, loop
                exit""";
        // caller block 5 (charged at its entry, before the call), callee entry 1, each round 2: the
        // second backward jump is checked at 5 + 1 + 2 * 2 = 10 (7 executed by then)
        BpfMachine m = new BpfMachine(mode(), 9);
        BpfFault f = assertThrows(BpfFault.class, () -> m.run(program(asm), 0));
        assertEquals(BpfFault.Kind.BUDGET, f.kind());
        assertEquals(7, f.pc());
        m.setInstructionBudget(13); // 5 + 1 + 3 * 2 + 1
        assertEquals(3, m.run(program(asm), 0));
        assertEquals(13, m.lastInstructionCount());
    }

    @Test
    void machineIsReusableAfterAFault() {
        BpfMachine m = machine();
        BpfProgram bad = program("ldxdw r0, [r1+0]\nexit");
        assertThrows(BpfFault.class, () -> m.run(bad, 0));
        assertEquals(5, m.run(program("mov r0, 5\nexit"), 0));
    }

    @Test
    void helperMisuseFaults() {
        BpfFault f = assertThrows(BpfFault.class, () -> run("mov r1, 0\nmov r2, r10\ncall 1\nexit"));
        assertEquals(BpfFault.Kind.HELPER, f.kind());
        BpfMap map = BpfMap.create(MapType.HASH, "h", 8, 8, 4);
        // Key pointer outside any region.
        f = assertThrows(BpfFault.class, () -> run("lddw r1, map 0\nmov r2, 0\ncall 1\nexit", map));
        assertEquals(BpfFault.Kind.MEMORY, f.kind());
        f = assertThrows(BpfFault.class, () -> run("mov r1, r10\nmov r2, 2000\ncall 6\nexit"));
        assertEquals(BpfFault.Kind.HELPER, f.kind());
    }

    @Test
    void mapValuePointersAreBoundsChecked() {
        BpfMap map = BpfMap.create(MapType.ARRAY, "a", 4, 8, 2);
        String lookup = "stw [r10-4], 1\nlddw r1, map 0\nmov r2, r10\nadd r2, -4\ncall 1\njne r0, 0, +2\nmov r0, 99\nexit\n";
        assertEquals(0, run(lookup + "ldxdw r0, [r0+0]\nexit", map));
        assertEquals(BpfFault.Kind.MEMORY,
                assertThrows(BpfFault.class, () -> run(lookup + "ldxdw r0, [r0+8]\nexit", map)).kind());
        assertEquals(99, run("stw [r10-4], 2\nlddw r1, map 0\nmov r2, r10\nadd r2, -4\ncall 1\njne r0, 0, +2\nmov r0, 99\nexit\nexit", map));
    }
}
