package io.jxrp.ebpf;

import static io.jxrp.ebpf.Opcodes.encode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Load-time rejections with a precise message. */
class VerifierTest {

    private static void rejects(String expectedMessagePart, long... slots) {
        BpfLoadException e = assertThrows(BpfLoadException.class, () -> BpfProgram.create("bad", slots, List.of()));
        assertTrue(e.getMessage().contains(expectedMessagePart), e.getMessage());
    }

    private static void rejects(String expectedMessagePart, String asm) {
        rejects(expectedMessagePart, Asm.assemble(asm));
    }

    private static final long EXIT = encode(Opcodes.EXIT, 0, 0, 0, 0);

    /**
     * Instructions rejected by their opcode byte alone, each at pc 0 with the reason: opcodes no
     * instruction has (unused classes and operations, modes that do not exist for a class: 0x99 a
     * sign-extending 64-bit load, 0xa3 mode 5 of STX, 0xb1 mode 5 of LDX), and two that exist only
     * with other fields (0xd7 bswap needs a width, 0x0e has no register form).
     */
    @ParameterizedTest(name = "opcode 0x{0}")
    @CsvSource({"00, invalid opcode 0x0", "20, invalid opcode 0x20", "40, invalid opcode 0x40", "ff, invalid opcode 0xff",
            "8e, invalid opcode 0x8e", "e4, invalid opcode 0xe4", "f7, invalid opcode 0xf7", "c2, invalid opcode 0xc2",
            "99, invalid opcode 0x99", "f5, invalid opcode 0xf5", "e5, invalid opcode 0xe5", "96, invalid opcode 0x96",
            "86, invalid opcode 0x86", "a3, invalid opcode 0xa3", "b1, invalid opcode 0xb1",
            "d7, endian conversion needs width 16, 32 or 64", "0e, reserved fields of goto must be zero"})
    void invalidOpcodes(String hex, String reason) {
        int op = Integer.parseInt(hex, 16);
        BpfLoadException e = assertThrows(BpfLoadException.class,
                () -> BpfProgram.create("bad", new long[] {encode(op, 0, 0, 0, 0), EXIT}, List.of()));
        assertTrue(e.getMessage().contains("pc 0") && e.getMessage().contains(reason), e.getMessage());
    }

    /** 0x62 is stw (store a 32-bit immediate): valid, next to the invalid ones above. */
    @Test
    void storeWordImmediateIsValid() throws BpfLoadException {
        BpfProgram p = BpfProgram.create("stw", new long[] {encode(0x62, 10, 0, -8, 7), encode(0xb7, 0, 0, 0, 0), EXIT},
                List.of());
        assertEquals(3, p.slotCount());
    }

    @Test
    void reservedFieldsMustBeZero() {
        rejects("reserved", encode(0x07, 1, 2, 0, 5), EXIT);           // add r1, imm with src set
        rejects("reserved", encode(0x0f, 1, 2, 0, 5), EXIT);           // add r1, r2 with imm set
        rejects("reserved offset", encode(0x07, 1, 0, 3, 5), EXIT);
        rejects("exit reserved", encode(0x95, 1, 0, 0, 0));
        rejects("neg takes no operand", encode(0x87, 1, 0, 0, 5), EXIT);
        rejects("div/mod offset", encode(0x37, 1, 0, 2, 5), EXIT);
        rejects("invalid movsx width", encode(0xbc, 1, 2, 32, 0), EXIT);
        rejects("endian", encode(0xd4, 1, 0, 0, 8), EXIT);
        rejects("invalid atomic", encode(0xdb, 10, 1, -8, 0x10), EXIT);
        rejects("lddw second slot", encode(0x18, 1, 0, 0, 1), encode(0x18, 0, 0, 0, 0), EXIT);
    }

    @Test
    void registersInRangeAndR10ReadOnly() {
        rejects("register number out of range", encode(0xb7, 11, 0, 0, 1), EXIT);
        rejects("register number out of range", encode(0xbf, 0, 12, 0, 0), EXIT);
        rejects("r10 is read-only", "mov r10, 1\nexit");
        rejects("r10 is read-only", "ldxdw r10, [r1+0]\nexit");
        rejects("r10 is read-only", "lddw r10, 5\nexit");
        rejects("r10 is read-only", "fetch_add64 [r1+0], r10\nexit");
    }

    @Test
    void jumpTargets() {
        rejects("outside function", "ja +5\nexit");
        rejects("outside function", "jeq r1, 0, -3\nexit");
        rejects("middle of lddw", "ja +1\nlddw r1, 7\nexit");
        rejects("outside function", "mov r0, 0\ncall local f\nexit\nf:\nja -4\nexit");
    }

    @Test
    void callsAndHelpers() {
        rejects("unknown helper id 4", "call 4\nexit");
        rejects("unknown helper id 9999", "call 9999\nexit");
        rejects("unsupported call kind", encode(0x85, 0, 2, 0, 5), EXIT);
        rejects("call target", encode(0x85, 0, 1, 0, 10), EXIT);
        rejects("call target", "lddw r1, 1\ncall local -2\nexit");
    }

    @Test
    void recursionAndDepth() {
        rejects("recursive call", "call local f\nexit\nf:\ncall local f\nexit");
        rejects("recursive call", "call local f\nexit\nf:\ncall local g\nexit\ng:\ncall local f\nexit");
        StringBuilder deep = new StringBuilder("call local f1\nexit\n");
        for (int i = 1; i <= 8; i++) {
            deep.append("f").append(i).append(":\n").append(i < 8 ? "call local f" + (i + 1) + "\n" : "").append("exit\n");
        }
        rejects("call depth exceeds 8", deep.toString());
    }

    @Test
    void stackBounds() {
        rejects("outside the 512 B frame", "stdw [r10-520], 1\nexit");
        rejects("outside the 512 B frame", "ldxw r0, [r10-2]\nexit");
        rejects("outside the 512 B frame", "stxb [r10+0], r1\nexit");
    }

    @Test
    void reachableExitAndNoFallOff() {
        rejects("empty program");
        rejects("falls off the end", "mov r0, 1");
        rejects("no exit reachable", "loop:\nja loop\nexit");
        rejects("lddw is missing its second slot", encode(0x18, 1, 0, 0, 1));
        rejects("falls off the end", "call local f\nexit\nf:\nmov r0, 1");
    }

    @Test
    void mapReferences() {
        rejects("map index 0 out of range", "lddw r1, map 0\nexit");
        BpfMap m = BpfMap.create(MapType.ARRAY, "a", 4, 8, 2);
        BpfLoadException e = assertThrows(BpfLoadException.class,
                () -> BpfProgram.create("bad", Asm.assemble("lddw r1, mapval 0, 16\nexit"), List.of(m)));
        assertTrue(e.getMessage().contains("outside a"), e.getMessage());
        rejects("pseudo source 4", encode(0x18, 1, 4, 0, 0), 0, EXIT);
    }
}
