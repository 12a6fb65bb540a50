package io.jxrp.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The interpreter's runs of fused dispatches ({@link Interpreter#decode}): a triple (a mov, a proven
 * 64-bit load, a compare) followed by pairs (a mov, a compare) and then the next triple, as clang
 * unrolls a scan over a node's keys, all run in one dispatch. Random programs of such runs, with
 * chains broken by other instructions, 32-bit and jset compares (which do not fuse), jumps taken at
 * every position and an instruction budget that sometimes runs out in a chain's outer loop, must
 * give what the JIT gives and what the interpreter gives for the same program verified as GENERIC
 * (no proven loads, so no triples): r0 or the fault, and the instruction count. Seeded: re-run with
 * -Djxrp.seed=N.
 */
class FusedDispatchDifferentialTest {
    private static final int PROGRAMS = 300;
    private static final String[] FUSABLE = {"jeq", "jne", "jgt", "jge", "jlt", "jle", "jsgt", "jsge", "jslt", "jsle"};
    private static final String[] MOVED = {"r0", "r7", "r8", "r9"};
    private static final String[] LOADED = {"r2", "r3"};
    private static final String[] COMPARED = {"r2", "r3", "r7", "r8"};
    private static final long[] VALUES = {0, 1, 2, 3, -1, Long.MIN_VALUE, Long.MAX_VALUE};

    static String generate(Random r, int units) {
        StringBuilder sb = new StringBuilder("ldxdw r6, [r1+0]\nmov r5, ").append(1 + r.nextInt(4)).append('\n');
        for (String s : new String[] {"r0", "r2", "r3", "r4", "r7", "r8", "r9"}) {
            sb.append("mov ").append(s).append(", ").append(r.nextInt(4)).append('\n');
        }
        sb.append("top:\n");
        for (int i = 0; i < units; i++) {
            sb.append("u").append(i).append(":\n").append(unit(r, i, units));
        }
        sb.append("u").append(units).append(":\n");
        for (String s : new String[] {"r0", "r2", "r3", "r7", "r8", "r9"}) {
            sb.append("mul r4, 31\nxor r4, ").append(s).append('\n');
        }
        return sb.append("sub r5, 1\njne r5, 0, top\nmov r0, r4\nexit\n").toString();
    }

    private static <T> T pick(Random r, T[] from) {
        return from[r.nextInt(from.length)];
    }

    /** A compare of {@code reg} that jumps to a later unit; mostly one that fuses. */
    private static String compare(Random r, String reg, int i, int units) {
        int kind = r.nextInt(20);
        String op = kind == 0 ? "jset" : kind == 1 ? pick(r, FUSABLE) + "32" : pick(r, FUSABLE);
        String with = r.nextBoolean() ? pick(r, COMPARED) : Integer.toString(r.nextInt(5) - 1);
        return op + " " + reg + ", " + with + ", u" + (i + 1 + r.nextInt(Math.min(3, units - i))) + "\n";
    }

    private static String mov(Random r) {
        return (r.nextBoolean() ? "mov32 " : "mov ") + pick(r, MOVED) + ", " + (r.nextInt(64) - 32) + "\n";
    }

    private static String unit(Random r, int i, int units) {
        if (r.nextInt(10) == 0) { // breaks a chain
            return r.nextBoolean() ? "add r9, 1\n" : "mov r9, r2\n";
        }
        String loaded = pick(r, LOADED);
        StringBuilder sb = new StringBuilder(mov(r)).append("ldxdw ").append(loaded).append(", [r6+").append(8 * r.nextInt(64))
                .append("]\n").append(compare(r, loaded, i, units));
        for (int k = r.nextInt(4); k > 0; k--) {
            sb.append(mov(r)).append(compare(r, loaded, i, units));
        }
        return sb.toString();
    }

    private static String outcome(ExecutionMode mode, BpfProgram p, MemorySegment data, long budget) {
        BpfMachine m = new BpfMachine(mode, budget);
        MemorySegment ctx = Arena.ofAuto().allocate(ProgramType.XRP_CONTEXT_BYTES, 8);
        m.bind(Region.CONTEXT, ctx);
        m.bind(Region.DATA, data);
        ctx.set(BpfMachine.U64, 0, m.address(Region.DATA));
        String result;
        try {
            result = "r0=" + Long.toHexString(m.run(p, m.address(Region.CONTEXT)));
        } catch (BpfFault f) {
            result = "fault " + f.kind() + " " + f.getMessage();
        }
        return result + " insns=" + m.lastInstructionCount();
    }

    /** How many triples are followed by a pair (the runs under test) in the interpreter's decoding of {@code p}. */
    private static int chains(BpfProgram p) {
        int n = 0;
        for (int pc = 0; pc + 3 < p.code.length; pc++) {
            int key = (int) (p.code[pc] & 0xff);
            if ((key == Interpreter.FUSED_MOV32_K_LDX_DW || key == Interpreter.FUSED_MOV64_K_LDX_DW)
                    && (p.code[pc + 3] & 0xff) == Interpreter.FUSED_MOV32_K) {
                n++;
            }
        }
        return n;
    }

    @Test
    void fusedRunsGiveWhatTheJitAndTheUnfusedInterpreterGive() throws BpfLoadException {
        long seed = Seeds.seed("FusedDispatchDifferentialTest.fusedRunsGiveWhatTheJitAndTheUnfusedInterpreterGive");
        Random random = new Random(seed);
        int chains = 0, budgetFaults = 0;
        for (int i = 0; i < PROGRAMS; i++) {
            String asm = generate(random, 5 + random.nextInt(30));
            long[] slots = Asm.assemble(asm);
            BpfProgram xrp = BpfProgram.create("xrp" + i, slots, List.of(), ProgramType.XRP);
            BpfProgram generic = BpfProgram.create("generic" + i, slots, List.of(), ProgramType.GENERIC);
            MemorySegment data = Arena.ofAuto().allocate(512, 8);
            for (int k = 0; k < 64; k++) {
                data.setAtIndex(BpfMachine.U64, k, random.nextInt(4) == 0 ? random.nextLong() : VALUES[random.nextInt(VALUES.length)]);
            }
            long budget = random.nextInt(3) == 0 ? 20 + random.nextInt(400) : 100_000;
            String reference = outcome(ExecutionMode.INTERPRETER, generic, data, budget);
            String context = "seed " + seed + " program " + i + " (budget " + budget + "):\n" + asm;
            assertEquals(reference, outcome(ExecutionMode.INTERPRETER, xrp, data, budget), "interpreter, " + context);
            assertEquals(reference, outcome(ExecutionMode.JIT, xrp, data, budget), "JIT, " + context);
            chains += chains(xrp);
            budgetFaults += reference.startsWith("fault BUDGET") ? 1 : 0;
        }
        System.out.println(PROGRAMS + " programs: " + chains + " triples followed by a pair; " + budgetFaults + " runs out of budget");
        assertTrue(chains > PROGRAMS, "the programs have runs of fused dispatches: " + chains);
        assertTrue(budgetFaults > 0 && budgetFaults < PROGRAMS, "some runs exhaust the budget, most do not: " + budgetFaults);
    }
}
