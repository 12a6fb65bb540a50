package io.jxrp.ebpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The JIT's sized translation: proven loads from the context, data and scratch read segments cut to
 * the sizes the proofs assume, at offsets whose range C2 is told, so the JDK's bounds check of each
 * load folds away. Which loads qualify, what the translation needs of the host, and that a host
 * binding less gets the translation without (same results as the interpreter, fault included).
 */
class SizedSegmentTest {
    private static final String PROGRAM = """
            ldxdw r6, [r1+0]
            ldxdw r7, [r1+272]
            ldxw r2, [r7+24]
            jgt r2, 30, out
            lsh r2, 3
            mov r3, r6
            add r3, r2
            ldxdw r0, [r3+16]
            ldxdw r4, [r6+504]
            add r0, r4
            ldxb r4, [r7+4095]
            add r0, r4
            out:
            exit
            """;

    private static BpfProgram program() throws BpfLoadException {
        return BpfProgram.create("sized", Asm.assemble(PROGRAM), List.of(), ProgramType.XRP);
    }

    @Test
    void provenHostRegionLoadsAreSized() throws BpfLoadException {
        BpfProgram p = program();
        // context fields (pc 0, 1), a scratch field (2), data at a bounded index (7), data at its last
        // word (8), scratch at its last byte (10)
        for (int pc : new int[] {0, 1, 2, 7, 8, 10}) {
            assertTrue(JitCompiler.sizedLoad(p, pc), "pc " + pc);
        }
        for (int pc : new int[] {3, 4, 5, 6, 9, 11, 12}) {
            assertFalse(JitCompiler.sizedLoad(p, pc), "pc " + pc + " is no load");
        }
        RangeAnalysis.Facts f = p.analysis.facts();
        assertEquals(0, f.baseLo()[7], "the data pointer's offset plus a scaled index: from 0");
        assertEquals(240, f.baseHi()[7], "... to 30 * 8");
        // what the furthest sized load of each region reaches: the scratch pointer's field, the data's
        // last word, the scratch's last byte
        assertArrayEquals(new long[] {0, 280, 512, 4096}, JitCompiler.compile(p).needs());
    }

    /**
     * A host that binds only the bytes the loads reach (BPF-KV's point lookup asks for 128 B of
     * scratch) still gets the sized translation; one that binds less gets the other, translated then.
     */
    @Test
    void theCutIsWhatTheLoadsReachNotTheRegionsAssumedSize() throws BpfLoadException {
        BpfProgram p = BpfProgram.create("head", Asm.assemble("""
                ldxdw r6, [r1+0]
                ldxdw r7, [r1+272]
                ldxw r0, [r7+24]
                ldxdw r2, [r6+8]
                add r0, r2
                exit
                """), List.of(), ProgramType.XRP);
        assertArrayEquals(new long[] {0, 280, 16, 28}, JitCompiler.compile(p).needs());
        assertEquals(run(ExecutionMode.INTERPRETER, p, 16, 128, 5), run(ExecutionMode.JIT, p, 16, 128, 5));
        assertFalse(p.translatedUnsized(), "16 B of data and 128 B of scratch are enough");
        assertEquals(run(ExecutionMode.INTERPRETER, p, 512, 27, 5), run(ExecutionMode.JIT, p, 512, 27, 5));
        assertTrue(p.translatedUnsized(), "27 B of scratch are not");
    }

    @Test
    void theSizedTranslationCutsAndRangeChecksTheUnsizedDoesNot() throws BpfLoadException {
        BpfProgram p = program();
        String sized = new String(JitCompiler.compile(p, true).classBytes(), StandardCharsets.ISO_8859_1);
        String unsized = new String(JitCompiler.compile(p, false).classBytes(), StandardCharsets.ISO_8859_1);
        assertTrue(sized.contains("checkIndex") && sized.contains("asSlice"));
        assertFalse(unsized.contains("checkIndex") || unsized.contains("asSlice"));
        assertNull(JitCompiler.compile(p, false).needs());
    }

    @Test
    void aProgramWithoutSizedLoadsHasOneTranslation() throws BpfLoadException {
        BpfProgram p = BpfProgram.create("stack", Asm.assemble("stdw [r10-8], 7\nldxdw r0, [r10-8]\nexit\n"), List.of(),
                ProgramType.XRP);
        assertNull(p.jit().needs());
        assertSame(p.jit(), p.jitUnsized());
    }

    /** r0 or the fault of one run with data and scratch of the given sizes. */
    private static String run(ExecutionMode mode, BpfProgram p, int dataBytes, int scratchBytes, int index) {
        BpfMachine m = new BpfMachine(mode);
        Arena arena = Arena.ofAuto();
        MemorySegment ctx = arena.allocate(ProgramType.XRP_CONTEXT_BYTES, 8);
        MemorySegment data = arena.allocate(dataBytes, 8);
        MemorySegment scratch = arena.allocate(scratchBytes, 8);
        for (long i = 0; i < dataBytes; i++) {
            data.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) (i * 7 + 3));
        }
        for (long i = 0; i < scratchBytes; i++) {
            scratch.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) (i * 5 + 1));
        }
        if (scratchBytes >= 28) {
            scratch.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 24, index);
        }
        m.bind(Region.CONTEXT, ctx);
        m.bind(Region.DATA, data);
        m.bind(Region.SCRATCH, scratch);
        ctx.set(BpfMachine.U64, 0, m.address(Region.DATA));
        ctx.set(BpfMachine.U64, 272, m.address(Region.SCRATCH));
        try {
            return "r0=" + Long.toHexString(m.run(p, m.address(Region.CONTEXT))) + " insns=" + m.lastInstructionCount();
        } catch (BpfFault fault) {
            return "fault " + fault.kind() + " " + fault.getMessage();
        }
    }

    /**
     * Data and scratch as large as assumed, larger, and smaller (so that some proven loads leave
     * them): the JIT runs the sized translation where the bindings allow it and the one without where
     * not, and agrees with the interpreter on every run, faults included.
     */
    @Test
    void everyBindingSizeRunsAsInTheInterpreter() throws BpfLoadException {
        BpfProgram p = program();
        int[][] sizes = {{512, 4096}, {4096, 8192}, {512, 4095}, {511, 4096}, {256, 4096}, {16, 28}, {0, 4096}};
        int faults = 0;
        for (int[] size : sizes) {
            for (int index : new int[] {0, 1, 30, 31}) {
                String reference = run(ExecutionMode.INTERPRETER, p, size[0], size[1], index);
                assertEquals(reference, run(ExecutionMode.JIT, p, size[0], size[1], index),
                        "data " + size[0] + " B, scratch " + size[1] + " B, index " + index);
                faults += reference.startsWith("fault") ? 1 : 0;
            }
        }
        assertTrue(faults > 0 && faults < sizes.length * 4, "some runs fault, most do not: " + faults);
    }
}
