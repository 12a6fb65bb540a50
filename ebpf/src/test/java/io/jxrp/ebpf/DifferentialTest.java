package io.jxrp.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeModel;
import java.lang.classfile.MethodModel;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Interpreter and JIT must agree on everything: r0, or the exact fault (kind, pc, reason).
 * Random programs print their seed; re-run one with -Djxrp.seed=N.
 */
class DifferentialTest {

    static String outcome(ExecutionMode mode, BpfProgram p, long budget, byte[] memory) {
        BpfMachine m = new BpfMachine(mode, budget);
        m.bind(Region.DATA, MemorySegment.ofArray(memory.clone()));
        try {
            long r0 = m.run(p, m.address(Region.DATA), memory.length);
            return "r0=" + Long.toHexString(r0) + " insns=" + m.lastInstructionCount();
        } catch (BpfFault f) {
            return "fault " + f.kind() + " " + f.getMessage() + " insns=" + m.lastInstructionCount();
        }
    }

    @Test
    void randomProgramsAgree() throws BpfLoadException {
        long seed = Seeds.seed("DifferentialTest.randomProgramsAgree");
        Random random = new Random(seed);
        int faults = 0, budgets = 0;
        for (int i = 0; i < 300; i++) {
            String asm = RandomPrograms.generate(random, 10 + random.nextInt(60));
            BpfProgram p = BpfProgram.create("random" + i, Asm.assemble(asm), List.of());
            byte[] memory = new byte[64];
            random.nextBytes(memory);
            String interp = outcome(ExecutionMode.INTERPRETER, p, 5_000, memory);
            String jit = outcome(ExecutionMode.JIT, p, 5_000, memory);
            assertEquals(interp, jit, "seed " + seed + " program " + i + ":\n" + asm);
            faults += interp.startsWith("fault MEMORY") ? 1 : 0;
            budgets += interp.startsWith("fault BUDGET") ? 1 : 0;
        }
        System.out.println("memory faults " + faults + ", budget faults " + budgets + " of 300");
    }

    /** Big functions are split into chunk methods; each must stay under HotSpot's 8000-byte limit. */
    @Test
    void largeFunctionsAreSplitBelowTheCompileLimit() throws BpfLoadException {
        long seed = Seeds.seed("DifferentialTest.largeFunctionsAreSplitBelowTheCompileLimit");
        Random random = new Random(seed);
        for (int i = 0; i < 3; i++) {
            String asm = RandomPrograms.generate(random, 3000 + random.nextInt(2000));
            BpfProgram p = BpfProgram.create("large" + i, Asm.assemble(asm), List.of());
            byte[] memory = new byte[64];
            String interp = outcome(ExecutionMode.INTERPRETER, p, 200_000, memory);
            String jit = outcome(ExecutionMode.JIT, p, 200_000, memory);
            assertEquals(interp, jit, "seed " + seed + " program " + i);
            ClassModel model = ClassFile.of().parse(p.jit().classBytes());
            int chunks = 0;
            for (MethodModel method : model.methods()) {
                int length = method.code().map(c -> codeLength(c)).orElse(0);
                assertTrue(length < 8000, method.methodName() + " has " + length + " bytes of bytecode");
                chunks += method.methodName().stringValue().contains("_c") ? 1 : 0;
            }
            assertTrue(chunks > 1, "a " + p.slotCount() + "-slot function should be split, got " + chunks + " chunks");
        }
    }

    /**
     * Code no call or jump reaches after the last function (what an object's other, uncalled static
     * functions leave in a program) is not translated: the last function stays one small method.
     */
    @Test
    void unreachableCodeAfterTheLastFunctionIsNotTranslated() throws BpfLoadException {
        int dead = 6000;
        long[] slots = new long[4 + dead + 1];
        slots[0] = Opcodes.encode(Opcodes.CALL, 0, Opcodes.CALL_LOCAL, 0, 1); // call the function at 2
        slots[1] = Opcodes.encode(Opcodes.EXIT, 0, 0, 0, 0);
        slots[2] = Opcodes.encode(Opcodes.CLS_ALU64 | Opcodes.ALU_MOV | Opcodes.SRC_K, 0, 0, 0, 7);
        slots[3] = Opcodes.encode(Opcodes.EXIT, 0, 0, 0, 0);
        for (int i = 0; i < dead; i++) {
            slots[4 + i] = Opcodes.encode(Opcodes.CLS_ALU64 | Opcodes.ALU_ADD | Opcodes.SRC_K, 0, 0, 0, i + 1);
        }
        slots[4 + dead] = Opcodes.encode(Opcodes.EXIT, 0, 0, 0, 0);
        BpfProgram p = BpfProgram.create("dead-tail", slots, List.of());
        assertEquals(outcome(ExecutionMode.INTERPRETER, p, 100_000, new byte[0]), outcome(ExecutionMode.JIT, p, 100_000, new byte[0]));
        assertEquals(7, new BpfMachine(ExecutionMode.JIT).run(p, 0));
        ClassModel model = ClassFile.of().parse(p.jit().classBytes());
        for (MethodModel method : model.methods()) {
            assertFalse(method.methodName().stringValue().contains("_c"), "split into chunks: " + method.methodName());
            int length = method.code().map(c -> codeLength(c)).orElse(0);
            assertTrue(length < 200, method.methodName() + " has " + length + " bytes of bytecode: the dead tail was translated");
        }
    }

    private static int codeLength(CodeModel code) {
        return ((java.lang.classfile.attribute.CodeAttribute) code).codeLength();
    }

    @Test
    void straightLineCodeLongerThanABlockAgrees() throws BpfLoadException {
        StringBuilder sb = new StringBuilder("mov r0, 1\n");
        for (int i = 0; i < 6000; i++) {
            sb.append(i % 3 == 0 ? "mul r0, 3\n" : i % 3 == 1 ? "add r0, " + i + "\n" : "xor32 r0, 0x5a5a\n");
        }
        sb.append("exit\n");
        BpfProgram p = BpfProgram.create("straight", Asm.assemble(sb.toString()), List.of());
        assertEquals(outcome(ExecutionMode.INTERPRETER, p, 100_000, new byte[0]), outcome(ExecutionMode.JIT, p, 100_000, new byte[0]));
        assertEquals(outcome(ExecutionMode.INTERPRETER, p, 3_000, new byte[0]), outcome(ExecutionMode.JIT, p, 3_000, new byte[0]));
    }

    /** Past class-file limits (here the constant pool) the JIT falls back to the interpreter, same results. */
    @Test
    void programsBeyondClassFileLimitsStillRunInJitMode() throws BpfLoadException {
        int n = 70_000;
        long[] slots = new long[n + 1];
        long expected = 0;
        for (int i = 0; i < n; i++) {
            slots[i] = Opcodes.encode(Opcodes.CLS_ALU64 | Opcodes.ALU_ADD, 0, 0, 0, i * 7 + 1);
            expected += i * 7 + 1;
        }
        slots[n] = Opcodes.encode(Opcodes.EXIT, 0, 0, 0, 0);
        BpfProgram p = BpfProgram.create("huge", slots, List.of());
        assertEquals(Long.toHexString(expected), outcome(ExecutionMode.JIT, p, 1_000_000, new byte[0]).split(" ")[0].substring(3));
        assertEquals(outcome(ExecutionMode.INTERPRETER, p, 1_000_000, new byte[0]), outcome(ExecutionMode.JIT, p, 1_000_000, new byte[0]));
    }
}
