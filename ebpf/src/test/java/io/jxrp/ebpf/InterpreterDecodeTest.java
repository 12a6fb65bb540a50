package io.jxrp.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.attribute.CodeAttribute;
import org.junit.jupiter.api.Test;

/**
 * Which instructions the interpreter runs as one dispatch with the conditional jump after them
 * ({@link Interpreter#decode}): the contract suites run every jump after each of these; this checks
 * that they are the pairs the interpreter fuses, so those runs test the fused cases.
 */
class InterpreterDecodeTest {

    private static int key(String asm, int pc) {
        return (int) (VmTestSupport.program(asm).code[pc] & 0xff);
    }

    @Test
    void aMovAddOrDirectLoadBeforeA64BitCompareIsFused() {
        assertEquals(Interpreter.FUSED_MOV64_K, key("mov r3, -7\njeq r1, 5, +0\nexit", 0));
        assertEquals(Interpreter.FUSED_MOV32_K, key("mov32 r3, -7\njsgt r1, r2, +0\nexit", 0));
        assertEquals(Interpreter.FUSED_ADD64_K, key("add r3, 1\njle r1, r3, +0\nexit", 0));
        assertEquals(Interpreter.FUSED_LDX_DW, key("stdw [r10-8], 1\nldxdw r3, [r10-8]\njne r3, 1, +0\nexit", 1));
    }

    @Test
    void aMovBeforeAFusedLoadIsATriple() {
        assertEquals(Interpreter.FUSED_MOV64_K_LDX_DW, key("stdw [r10-8], 1\nmov r4, 3\nldxdw r3, [r10-8]\njne r3, 1, +0\nexit", 1));
        assertEquals(Interpreter.FUSED_MOV32_K_LDX_DW, key("stdw [r10-8], 1\nmov32 r4, 3\nldxdw r3, [r10-8]\njne r3, 1, +0\nexit", 1));
        assertEquals(Interpreter.FUSED_LDX_DW, key("stdw [r10-8], 1\nmov32 r4, 3\nldxdw r3, [r10-8]\njne r3, 1, +0\nexit", 2));
    }

    @Test
    void otherPairsAreNot() {
        assertEquals(Opcodes.CLS_ALU64 | Opcodes.ALU_MOV | Opcodes.SRC_K, key("mov r3, -7\njset r1, 5, +0\nexit", 0));
        assertEquals(Opcodes.CLS_ALU64 | Opcodes.ALU_MOV | Opcodes.SRC_K, key("mov r3, -7\njeq32 r1, 5, +0\nexit", 0));
        assertEquals(Opcodes.CLS_ALU64 | Opcodes.ALU_SUB | Opcodes.SRC_K, key("sub r3, 1\njeq r1, 5, +0\nexit", 0));
        // a load from a pointer the verifier knows nothing about stays the checked load
        assertEquals(Opcodes.CLS_LDX | Opcodes.MODE_MEM | Opcodes.SIZE_DW, key("ldxdw r3, [r1+0]\njeq r3, 5, +0\nexit", 0));
        assertEquals(Opcodes.CLS_ALU64 | Opcodes.ALU_MOV | Opcodes.SRC_K, key("mov r3, -7\nja +0\nexit", 0));
    }

    /** HotSpot never compiles a method of more than 8,000 bytes of bytecode (-XX:HugeMethodLimit, DontCompileHugeMethods). */
    @Test
    void theDispatchLoopStaysCompilable() throws IOException {
        ClassModel model;
        try (InputStream in = Interpreter.class.getResourceAsStream("Interpreter.class")) {
            model = ClassFile.of().parse(in.readAllBytes());
        }
        MethodModel run = model.methods().stream().filter(m -> m.methodName().equalsString("run")).findFirst().orElseThrow();
        int length = run.findAttribute(Attributes.code()).map(CodeAttribute::codeLength).orElseThrow();
        assertTrue(length < 8000, "Interpreter.run has " + length + " bytes of bytecode");
    }
}
