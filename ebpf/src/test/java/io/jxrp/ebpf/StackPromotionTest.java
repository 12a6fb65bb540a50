package io.jxrp.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
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
}
