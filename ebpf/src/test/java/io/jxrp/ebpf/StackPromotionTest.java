package io.jxrp.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The JIT keeps frame slots that a function reaches only as {@code r10 + off} in JVM locals
 * ({@link JitCompiler#promotableSlots}). Whatever else can see the frame must see the same bytes as
 * in the interpreter: a pointer to the slot, a forged (checked) address, a helper that reads it, a
 * callee that writes it, a callee's frame left from its previous call. Each program runs in both
 * modes; r0 (or the fault) and the instruction count must agree, and the slots must be promoted.
 */
class StackPromotionTest {
    /** r10 - 8 of the main function: the stack region's last 8 bytes. */
    private static final String MAIN_SLOT = "0x" + Long.toHexString(Addresses.STACK_TOP - 8);

    private static void agree(String asm) throws BpfLoadException {
        BpfProgram p = BpfProgram.create("promoted", Asm.assemble(asm), List.of());
        int[] starts = p.analysis.functionStarts();
        assertFalse(JitCompiler.promotableSlots(p, starts[0], p.analysis.functionEnd(0, p.slots.length)).isEmpty(),
                "no slot of the main function kept in a local:\n" + asm);
        assertEquals(DifferentialTest.outcome(ExecutionMode.INTERPRETER, p, 10_000, new byte[16]),
                DifferentialTest.outcome(ExecutionMode.JIT, p, 10_000, new byte[16]), asm);
    }

    @Test
    void aPointerToTheSlotSeesAndChangesItsValue() throws BpfLoadException {
        agree("""
                stdw [r10-8], 5
                mov r3, r10
                add r3, -8
                ldxdw r0, [r3+0]
                stdw [r3+0], 40
                ldxdw r1, [r10-8]
                lsh r0, 8
                add r0, r1
                exit""");
    }

    @Test
    void aForgedAddressReadsAndWritesTheSlot() throws BpfLoadException {
        agree("""
                stdw [r10-8], 7
                lddw r3, %s
                ldxdw r0, [r3+0]
                stdw [r3+0], 9
                ldxdw r1, [r10-8]
                lsh r0, 8
                add r0, r1
                exit""".formatted(MAIN_SLOT));
    }

    @Test
    void narrowSlotsKeepTheirWidthAndSign() throws BpfLoadException {
        agree("""
                mov r1, 0x1ff
                stxb [r10-1], r1
                stw [r10-8], -1
                stxh [r10-12], r1
                ldxb r2, [r10-1]
                ldxsb r3, [r10-1]
                ldxw r4, [r10-8]
                ldxsw r5, [r10-8]
                ldxsh r6, [r10-12]
                mov r0, r2
                xor r0, r3
                mul r0, 31
                xor r0, r4
                mul r0, 31
                xor r0, r5
                mul r0, 31
                xor r0, r6
                exit""");
    }

    @Test
    void aHelperReadsTheSlotThroughItsPointer() throws BpfLoadException {
        agree("""
                lddw r1, 0x0000000041414141
                stxdw [r10-8], r1
                mov r1, r10
                add r1, -8
                mov r2, 8
                call 6
                exit""");
    }

    @Test
    void aCalleeWritesTheCallersSlot() throws BpfLoadException {
        agree("""
                stdw [r10-16], 9
                mov r1, r10
                add r1, -16
                call local f
                ldxdw r2, [r10-16]
                lsh r0, 8
                add r0, r2
                exit
                f:
                ldxdw r0, [r1+0]
                stdw [r1+0], 11
                exit""");
    }

    /** {@link JitCompiler#framePrivate} of each function of {@code asm}, after checking that both modes agree on it. */
    private static boolean[] framePrivate(String asm) throws BpfLoadException {
        agree(asm);
        BpfProgram p = BpfProgram.create("promoted", Asm.assemble(asm), List.of());
        return JitCompiler.framePrivate(p, p.analysis.functionStarts());
    }

    @Test
    void aCalleeThatKeepsToItsOwnFrameLeavesTheCallersSlotsInLocals() throws BpfLoadException {
        boolean[] priv = framePrivate("""
                stdw [r10-8], 9
                mov r1, 4
                call local f
                ldxdw r2, [r10-8]
                lsh r0, 8
                add r0, r2
                stxdw [r10-8], r0
                mov r1, 5
                call local f
                ldxdw r2, [r10-8]
                lsh r0, 16
                add r0, r2
                exit
                f:
                ldxdw r0, [r10-8]
                add r0, r1
                stxdw [r10-8], r0
                stdw [r10-16], 1
                exit""");
        assertTrue(priv[1], "f touches only its own frame");
    }

    @Test
    void aCalleeGivenAPointerIntoTheCallersFrameOrAHelperIsNotPrivate() throws BpfLoadException {
        assertFalse(framePrivate("""
                stdw [r10-16], 9
                mov r1, r10
                add r1, -16
                call local f
                ldxdw r2, [r10-16]
                add r0, r2
                exit
                f:
                ldxdw r0, [r1+0]
                exit""")[1], "reads the caller's slot through r1");
        assertFalse(framePrivate("""
                lddw r1, 0x0000000041414141
                stxdw [r10-8], r1
                mov r1, r10
                add r1, -8
                call local f
                ldxdw r2, [r10-8]
                add r0, r2
                exit
                f:
                mov r2, 8
                call 6
                exit""")[1], "hands r1 to a helper");
        assertFalse(framePrivate("""
                stdw [r10-8], 7
                call local f
                ldxdw r2, [r10-8]
                add r0, r2
                exit
                f:
                lddw r3, %s
                ldxdw r0, [r3+0]
                stdw [r3+0], 3
                exit""".formatted(MAIN_SLOT))[1], "a forged address (a checked access) reaches the caller's slot");
    }

    @Test
    void aCalleeWhoseOwnCalleeWritesTheCallersFrameIsNotPrivate() throws BpfLoadException {
        boolean[] priv = framePrivate("""
                stdw [r10-8], 9
                mov r1, r10
                add r1, -8
                call local f
                ldxdw r2, [r10-8]
                lsh r2, 8
                add r0, r2
                exit
                f:
                stdw [r10-8], 1
                call local g
                ldxdw r1, [r10-8]
                add r0, r1
                exit
                g:
                stdw [r1+0], 5
                mov r0, 2
                exit""");
        assertFalse(priv[1], "f itself keeps to its frame, but g writes through the pointer f passes on");
        assertFalse(priv[2]);
    }

    @Test
    void aCalleeSeesWhatItsPreviousCallLeftInItsFrame() throws BpfLoadException {
        agree("""
                stdw [r10-8], 1
                call local f
                mov r6, r0
                call local f
                lsh r6, 8
                add r0, r6
                ldxdw r1, [r10-8]
                lsh r1, 16
                add r0, r1
                exit
                f:
                ldxdw r0, [r10-8]
                add r0, 3
                stxdw [r10-8], r0
                exit""");
    }

    @Test
    void aSlotWrittenInALoopCountsLikeTheInterpreter() throws BpfLoadException {
        agree("""
                stdw [r10-8], 0
                stw [r10-16], 0
                loop:
                ldxdw r1, [r10-8]
                add r1, 3
                stxdw [r10-8], r1
                ldxw r2, [r10-16]
                add32 r2, 1
                stxw [r10-16], r2
                jlt r2, 50, loop
                mov r0, r1
                exit""");
    }

    /** Runs {@code asm} twice on one machine: the second run must not see what the first left in any frame. */
    private static String twice(ExecutionMode mode, BpfProgram p) {
        BpfMachine m = new BpfMachine(mode, 10_000);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 2; i++) {
            try {
                out.append(Long.toHexString(m.run(p, 0))).append(' ');
            } catch (BpfFault f) {
                out.append(f.getMessage()).append(' ');
            }
        }
        return out.toString();
    }

    @Test
    void everyRunStartsWithZeroedFramesAtEveryDepth() throws BpfLoadException {
        long calleeTop = Addresses.STACK_TOP - Verifier.FRAME_BYTES;
        String asm = """
                lddw r3, 0x%s
                ldxdw r6, [r3+0]
                stdw [r3+0], 9
                call local f
                lsh r6, 8
                add r0, r6
                lddw r3, 0x%s
                ldxdw r1, [r3+0]
                lsh r1, 16
                add r0, r1
                exit
                f:
                ldxdw r0, [r10-8]
                ldxdw r1, [r10-16]
                add r0, r1
                stdw [r10-8], 77
                stdw [r10-16], 5
                exit""".formatted(Long.toHexString(calleeTop - 400), Long.toHexString(calleeTop - 16));
        BpfProgram p = BpfProgram.create("frames", Asm.assemble(asm), List.of());
        String interp = twice(ExecutionMode.INTERPRETER, p);
        assertEquals("50000 50000 ", interp, "the callee's frame is zeroed before each run");
        assertEquals(interp, twice(ExecutionMode.JIT, p));
    }

    /**
     * A main-function slot kept in a local is not zeroed before a run (its local starts at 0 and is
     * written back before anything else can read the frame); every other byte a fast path reaches
     * is. A run that reads both, through a forged address and directly, after a run that wrote them,
     * on the same machine, sees zeros in both modes.
     */
    @Test
    void slotsInLocalsAreNotZeroedAndNoRunSeesAnEarlierRunsValues() throws BpfLoadException {
        String asm = """
                ldxdw r2, [r1+0]
                jeq r2, 0, read
                stdw [r10-8], 0x55
                stdw [r10-24], 0x66
                stw [r10-20], 0x77
                mov r0, 0
                exit
                read:
                lddw r3, %s
                ldxdw r0, [r3+0]
                ldxdw r4, [r10-24]
                lsh r0, 8
                add r0, r4
                ldxw r5, [r10-20]
                lsh r0, 8
                add r0, r5
                exit""".formatted(MAIN_SLOT);
        BpfProgram p = BpfProgram.create("leftovers", Asm.assemble(asm), List.of());
        int[] starts = p.analysis.functionStarts();
        assertEquals(java.util.Set.of(-8),
                JitCompiler.promotableSlots(p, starts[0], p.analysis.functionEnd(0, p.slots.length)).keySet(),
                "r10-24 is also read as a word at r10-20: only r10-8 is kept in a local");
        JitCompiler.Compiled c = p.jit();
        assertEquals(Addresses.STACK_BYTES - 24, c.zeroFrom());
        assertEquals(Addresses.STACK_BYTES - 8, c.zeroTo(), "r10-8 is left out (r10-16, which only a checked access could reach, is not)");
        for (ExecutionMode mode : ExecutionMode.values()) {
            BpfMachine m = new BpfMachine(mode, 1_000);
            MemorySegment flag = Arena.ofAuto().allocate(8);
            m.bind(Region.DATA, flag);
            flag.set(ValueLayout.JAVA_LONG, 0, 1);
            assertEquals(0, m.run(p, m.address(Region.DATA)), mode + ": the writing run");
            flag.set(ValueLayout.JAVA_LONG, 0, 0);
            assertEquals(0, m.run(p, m.address(Region.DATA)), mode + ": the reading run sees zeros");
        }
    }

    @Test
    void whereEverySlotTheFastPathsReachIsInALocalNothingIsZeroed() throws BpfLoadException {
        BpfProgram p = BpfProgram.create("locals", Asm.assemble("""
                stdw [r10-8], 4
                stdw [r10-16], 2
                ldxdw r0, [r10-8]
                ldxdw r1, [r10-16]
                add r0, r1
                exit"""), List.of());
        JitCompiler.Compiled c = p.jit();
        assertEquals(c.zeroFrom(), c.zeroTo(), "nothing to zero");
        agree("""
                stdw [r10-8], 4
                stdw [r10-16], 2
                ldxdw r0, [r10-8]
                ldxdw r1, [r10-16]
                add r0, r1
                exit""");
    }

    /**
     * Random programs (stack accesses of every width, atomics, helpers, calls) run in pairs on one
     * machine per mode, the first leaving its values in the frames: every run's outcome must be the
     * interpreter's, which zeroes every byte a fast path reaches.
     */
    @Test
    void randomProgramsOnOneMachineNeverSeeAnEarlierRunsFrames() throws BpfLoadException {
        long seed = Seeds.seed("StackPromotionTest.randomProgramsOnOneMachineNeverSeeAnEarlierRunsFrames");
        Random random = new Random(seed);
        BpfMachine interp = new BpfMachine(ExecutionMode.INTERPRETER, 5_000), jit = new BpfMachine(ExecutionMode.JIT, 5_000);
        byte[] memory = new byte[64];
        random.nextBytes(memory);
        MemorySegment a = MemorySegment.ofArray(memory.clone()), b = MemorySegment.ofArray(memory.clone());
        interp.bind(Region.DATA, a);
        jit.bind(Region.DATA, b);
        int leftOut = 0;
        for (int i = 0; i < 200; i++) {
            String asm = RandomPrograms.generate(random, 10 + random.nextInt(60));
            BpfProgram p = BpfProgram.create("random" + i, Asm.assemble(asm), List.of());
            JitCompiler.Compiled c = p.jit();
            leftOut += c.zeroTo() - c.zeroFrom() < Addresses.STACK_BYTES - p.stackZeroFrom() ? 1 : 0;
            assertEquals(run(interp, p), run(jit, p), "seed " + seed + " program " + i + ":\n" + asm);
        }
        System.out.println("programs with main-function slots left unzeroed: " + leftOut + " of 200");
        assertTrue(leftOut > 5, "the case under test occurs: " + leftOut);
    }

    private static String run(BpfMachine m, BpfProgram p) {
        try {
            return "r0=" + Long.toHexString(m.run(p, m.address(Region.DATA), 64)) + " insns=" + m.lastInstructionCount();
        } catch (BpfFault f) {
            return "fault " + f.kind() + " " + f.getMessage() + " insns=" + m.lastInstructionCount();
        }
    }
}
