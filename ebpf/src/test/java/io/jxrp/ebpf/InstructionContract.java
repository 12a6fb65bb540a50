package io.jxrp.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Per-instruction semantics from RFC 9669, every opcode with edge values. Run once per execution
 * mode by the subclasses.
 */
abstract class InstructionContract extends VmTestSupport {

    /** Loads two 64-bit operands, applies {@code op}, returns r0. */
    private long binary(String op, long a, long b) {
        return run("lddw r0, " + a + "\nlddw r1, " + b + "\n" + op + " r0, r1\nexit");
    }

    private long unaryImm(String op, long a, int imm) {
        return run("lddw r0, " + a + "\n" + op + " r0, " + imm + "\nexit");
    }

    @ParameterizedTest(name = "{0} {1}, {2} = {3}")
    @CsvSource({
        "add, 1, 2, 3", "add, -1, 1, 0", "add, 0x7fffffffffffffff, 1, 0x8000000000000000",
        "sub, 1, 2, -1", "sub, 0, 0x8000000000000000, 0x8000000000000000",
        "mul, 3, -4, -12", "mul, 0x100000000, 0x100000000, 0",
        "div, 10, 3, 3", "div, -1, 2, 0x7fffffffffffffff", "div, 7, 0, 0",
        "sdiv, -10, 3, -3", "sdiv, 0x8000000000000000, -1, 0x8000000000000000", "sdiv, 5, 0, 0",
        "mod, 10, 3, 1", "mod, -1, 10, 5", "mod, 7, 0, 7",
        "smod, -10, 3, -1", "smod, 0x8000000000000000, -1, 0", "smod, -7, 0, -7",
        "or, 0xf0, 0x0f, 0xff", "and, 0xff00, 0x0ff0, 0x0f00", "xor, -1, 0xff, -256",
        "lsh, 1, 63, 0x8000000000000000", "lsh, 1, 64, 1", "lsh, 1, 65, 2",
        "rsh, -1, 63, 1", "rsh, -1, 64, -1",
        "arsh, -16, 2, -4", "arsh, 0x8000000000000000, 63, -1", "arsh, 8, 65, 4",
        "mov, 5, -7, -7",
    })
    void alu64Register(String op, String a, String b, String expected) {
        assertEquals(Asm.num(expected), binary(op, Asm.num(a), Asm.num(b)));
    }

    @ParameterizedTest(name = "{0} {1}, {2} = {3}")
    @CsvSource({
        "add, 1, -1, 0", "add, 0xffffffff, 1, 0x100000000",
        "sub, 0, 1, -1", "mul, 2, -3, -6",
        "div, -1, -1, 1", "div, 100, 0, 0", "div, 100, 7, 14",
        "sdiv, -100, 7, -14", "sdiv, 100, -1, -100",
        "mod, 100, -1, 100", "mod, 13, 0, 13", "smod, -13, 4, -1", "smod, 13, -4, 1",
        // a positive constant divisor: the JIT divides signed when the dividend's top bit is clear, unsigned otherwise
        "div, -1, 7, 0x2492492492492492", "div, 0x8000000000000000, 31, 0x421084210842108", "div, 0x7fffffffffffffff, 1, 0x7fffffffffffffff",
        "mod, -1, 7, 1", "mod, 0x8000000000000000, 31, 8", "mod, 62, 31, 0",
        "sdiv, 0x8000000000000000, 31, -297528130221121800", "smod, 0x8000000000000000, 31, -8",
        "or, 0x100000000, 1, 0x100000001", "and, -1, 0x7fffffff, 0x7fffffff", "and, -1, -1, -1",
        "xor, 0, -1, -1", "lsh, 1, 32, 0x100000000", "rsh, -1, 60, 15", "arsh, -1, 60, -1",
        "mov, 99, -1, -1", "mov, 99, 0x7fffffff, 0x7fffffff",
    })
    void alu64Immediate(String op, String a, String imm, String expected) {
        assertEquals(Asm.num(expected), unaryImm(op, Asm.num(a), (int) Asm.num(imm)));
    }

    @ParameterizedTest(name = "{0} {1}, {2} = {3}")
    @CsvSource({
        "add32, 0xffffffff, 1, 0", "add32, 0x1234567800000001, 1, 2",
        "sub32, 0, 1, 0xffffffff", "mul32, 0x10000, 0x10000, 0", "mul32, -1, -1, 1",
        "div32, 0xffffffff, 2, 0x7fffffff", "div32, 10, 0, 0", "div32, 0x1ffffffff, 0x100000001, 0xffffffff",
        "sdiv32, 0xfffffff6, 3, 0xfffffffd", "sdiv32, 0x80000000, 0xffffffff, 0x80000000", "sdiv32, 9, 0, 0",
        "mod32, 0xffffffff, 10, 5", "mod32, 0x1234567800000007, 0, 7", "mod32, 0x100000007, 0x100000000, 7",
        "smod32, 0xfffffff6, 3, 0xffffffff", "smod32, 0x80000000, 0xffffffff, 0",
        "or32, 0xffffffff00000000, 1, 1", "and32, -1, -1, 0xffffffff", "xor32, -1, 0, 0xffffffff",
        "lsh32, 1, 31, 0x80000000", "lsh32, 1, 32, 1", "lsh32, 1, 33, 2",
        "rsh32, 0xffffffff80000000, 31, 1", "rsh32, -1, 32, 0xffffffff",
        "arsh32, 0x80000000, 31, 0xffffffff", "arsh32, 0xffffffff00000010, 4, 1", "arsh32, 0x80000000, 33, 0xc0000000",
        "mov32, 1, -1, 0xffffffff",
    })
    void alu32Register(String op, String a, String b, String expected) {
        assertEquals(Asm.num(expected), binary(op, Asm.num(a), Asm.num(b)));
    }

    @ParameterizedTest(name = "{0} {1}, {2} = {3}")
    @CsvSource({
        "add32, -1, 1, 0", "sub32, 0, 1, 0xffffffff", "mul32, 3, -1, 0xfffffffd",
        "div32, -1, -1, 1", "div32, 10, 0, 0", "sdiv32, -10, 3, 0xfffffffd",
        "mod32, -1, -1, 0", "mod32, 0x100000005, 0, 5", "smod32, -10, 3, 0xffffffff",
        // constant divisors: unsigned as a non-negative 64-bit division, the upper half ignored
        "div32, -1, 31, 138547332", "mod32, -1, 31, 3", "div32, 0x12345678fffffff0, 16, 0xfffffff", "div32, 5, -1, 0",
        "sdiv32, 0x80000000, -1, 0x80000000", "smod32, 0x80000000, 7, 0xfffffffe", "sdiv32, 0xffffffff00000064, -7, 0xfffffff2",
        "or32, 0, -1, 0xffffffff", "and32, -1, 0xff, 0xff", "xor32, -1, -1, 0",
        "lsh32, 3, 30, 0xc0000000", "rsh32, -1, 28, 0xf", "arsh32, 0x80000000, 4, 0xf8000000",
        "mov32, 42, -2, 0xfffffffe",
    })
    void alu32Immediate(String op, String a, String imm, String expected) {
        assertEquals(Asm.num(expected), unaryImm(op, Asm.num(a), (int) Asm.num(imm)));
    }

    @Test
    void negation() {
        assertEquals(-5, run("mov r0, 5\nneg r0\nexit"));
        assertEquals(Long.MIN_VALUE, run("lddw r0, 0x8000000000000000\nneg r0\nexit"));
        assertEquals(0xfffffffbL, run("mov r0, 5\nneg32 r0\nexit"));
        assertEquals(0x80000000L, run("lddw r0, 0x7777777780000000\nneg32 r0\nexit"));
    }

    @ParameterizedTest(name = "movsx{1} {0} from {2} = {3}")
    @CsvSource({
        "movsx, 8, 0x80, -128", "movsx, 8, 0x17f, 127", "movsx, 16, 0x8000, -32768", "movsx, 32, 0x80000000, -2147483648",
        "movsx, 32, 0xffffffff7fffffff, 0x7fffffff",
        "movsx32, 8, 0xff, 0xffffffff", "movsx32, 16, 0x12348000, 0xffff8000", "movsx32, 8, 0x7f, 0x7f",
    })
    void signExtendingMoves(String op, int bits, String value, String expected) {
        assertEquals(Asm.num(expected), run("lddw r1, " + Asm.num(value) + "\n" + op + " r0, r1, " + bits + "\nexit"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "le16, 0x1122334455667788, 0x7788", "le32, 0x1122334455667788, 0x55667788", "le64, 0x1122334455667788, 0x1122334455667788",
        "be16, 0x1122334455667788, 0x8877", "be32, 0x1122334455667788, 0x88776655", "be64, 0x1122334455667788, 0x8877665544332211",
        "bswap16, 0x1122334455667788, 0x8877", "bswap32, 0x1122334455667788, 0x88776655", "bswap64, 0x1122334455667788, 0x8877665544332211",
    })
    void byteSwaps(String op, String value, String expected) {
        assertEquals(Asm.num(expected), run("lddw r0, " + Asm.num(value) + "\n" + op + " r0\nexit"));
    }

    @Test
    void lddwLoadsAllSixtyFourBits() {
        assertEquals(0x8877665544332211L, run("lddw r0, 0x8877665544332211\nexit"));
        assertEquals(0xffffffffL, run("lddw r0, 0xffffffff\nexit"));
        assertEquals(0x100000000L, run("lddw r0, 0x100000000\nexit"));
    }

    @ParameterizedTest(name = "{0} {1} vs {2} taken={3}")
    @CsvSource({
        "jeq, 5, 5, true", "jeq, 5, 6, false", "jne, 5, 6, true", "jne, -1, -1, false",
        "jgt, -1, 1, true", "jgt, 1, -1, false", "jge, 1, 1, true", "jge, 0, 1, false",
        "jlt, 1, -1, true", "jlt, -1, 1, false", "jle, 1, 1, true", "jle, 2, 1, false",
        "jsgt, 1, -1, true", "jsgt, -1, 1, false", "jsge, -1, -1, true", "jsge, -2, -1, false",
        "jslt, -1, 1, true", "jslt, 1, -1, false", "jsle, -1, -1, true", "jsle, 0, -1, false",
        "jset, 6, 2, true", "jset, 6, 1, false",
        "jeq32, 0x100000005, 5, true", "jne32, 0x100000005, 5, false", "jgt32, 0xffffffff, 1, true",
        "jgt32, 0x100000000, 1, false", "jge32, 0x200000001, 1, true", "jlt32, 1, 0xffffffff, true",
        "jle32, 0x1ffffffff, 0xffffffff, true", "jsgt32, 1, 0xffffffff, true", "jsgt32, 0xffffffff, 1, false",
        "jsge32, 0x80000000, 0x80000000, true", "jslt32, 0x80000000, 0, true", "jsle32, 0x7fffffff, 0x80000000, false",
        "jset32, 0x100000000, 0x100000000, false", "jset32, 0x1, 0x1, true",
    })
    void conditionalJumps(String op, String a, String b, boolean taken) {
        long expected = taken ? 1 : 2;
        long bv = Asm.num(b);
        boolean fitsImm = bv == (int) bv || (op.endsWith("32") && (bv >>> 32) == 0);
        for (String[] form : JUMP_PREDECESSORS) {
            String load = "lddw r1, " + Asm.num(a) + "\n" + form[0];
            String tail = ", yes\nmov r0, 2\nexit\nyes:\nmov r0, 1\nexit";
            assertEquals(expected, run("lddw r2, " + Asm.num(b) + "\n" + load + op + " r1, r2" + tail), "register form after " + form[1]);
            if (fitsImm) {
                assertEquals(expected, run(load + op + " r1, " + (int) bv + tail), "immediate form after " + form[1]);
            }
        }
    }

    /**
     * What may come right before a conditional jump (after r1 is loaded), each run with every jump:
     * the interpreter runs some of these pairs in one dispatch, including where the first writes the
     * register the jump compares, and where the jump is also a jump target (entered alone).
     */
    private static final String[][] JUMP_PREDECESSORS = {
        {"", "lddw"},
        {"mov r3, -7\n", "mov64 imm"},
        {"mov32 r3, -7\n", "mov32 imm"},
        {"add r3, 1\n", "add64 imm"},
        {"add r1, 0\n", "add64 imm to the compared register"},
        {"stxdw [r10-8], r1\nmov r1, 0\nldxdw r1, [r10-8]\n", "a stack load of the compared register"},
        {"stxdw [r10-8], r1\nldxdw r3, [r10-8]\n", "a stack load of another register"},
        {"ja +1\nmov r1, 0\n", "a jump over a mov to the jump (the pair's second half entered alone)"},
        {"mov r3, -7\njeq r3, 0, +1\nmov r4, 1\n", "a mov64 and a jump not taken"},
        {"mov32 r3, -7\njeq r3, 0, +1\nmov32 r4, 1\n", "a mov32 and a jump not taken"},
        {"mov32 r3, -7\njne r3, 0, +1\nexit\nmov32 r4, 1\n", "a mov32 and a jump taken to a mov32"},
        {"stxdw [r10-8], r1\nmov r1, 0\nmov r3, 9\nldxdw r1, [r10-8]\n", "a mov64, then a stack load of the compared register"},
        {"stxdw [r10-8], r1\nmov r1, 0\nmov32 r3, 9\nldxdw r1, [r10-8]\n", "a mov32, then a stack load of the compared register"},
    };

    /** Runs of "set a register, compare" pairs (run by the interpreter as one dispatch each, or as one for all). */
    @Test
    void pairsOfMovAndJumpInARow() {
        assertEquals(6, run("mov r1, 0\nmov r3, 5\njeq r1, 7, +3\nmov r0, 6\njeq r1, 8, +1\nexit\nmov r0, 9\nexit"));
        assertEquals(0xfffffffaL, run("mov r1, 0\nmov32 r3, 5\njeq r1, 7, +3\nmov32 r0, -6\njeq r1, 8, +1\nexit\nmov r0, 9\nexit"));
        assertEquals(-6, run("mov r1, 0\nmov r0, 5\njeq r1, 7, +5\nmov r0, -6\njslt r1, -1, +3\nmov r2, 1\njeq r2, 2, +1\nexit\nmov r0, 9\nexit"));
        // the second jump taken: the third pair not run
        assertEquals(9, run("mov r1, 0\nmov32 r0, 5\njeq r1, 7, +4\nmov32 r0, 6\njeq r1, 0, +3\nmov32 r0, 7\njeq r1, 1, +0\nexit\nadd r0, 3\nexit"));
        // the first jump taken, into the second pair's jump
        assertEquals(5, run("mov r1, 0\nmov r0, 5\njeq r1, 0, +1\nmov r0, 6\njeq r1, 8, +1\nexit\nmov r0, 9\nexit"));
        // a mov32 pair after a mov64 pair and the other way round
        assertEquals(0xfffffffaL, run("mov r1, 0\nmov r0, 5\njeq r1, 7, +3\nmov32 r0, -6\njeq r1, 8, +1\nexit\nmov r0, 9\nexit"));
        assertEquals(-6, run("mov r1, 0\nmov32 r0, 5\njeq r1, 7, +3\nmov r0, -6\njeq r1, 8, +1\nexit\nmov r0, 9\nexit"));
    }

    @Test
    void immediateComparisonsSignExtend() {
        // jgt r1, -1 compares against 0xffffffffffffffff, so nothing is greater.
        assertEquals(2, run("mov r1, 5\njgt r1, -1, +2\nmov r0, 2\nexit\nmov r0, 1\nexit"));
        assertEquals(1, run("mov r1, 5\njsgt r1, -1, +2\nmov r0, 2\nexit\nmov r0, 1\nexit"));
    }

    @Test
    void unconditionalJumps() {
        assertEquals(3, run("mov r0, 1\nja +1\nmov r0, 2\nadd r0, 2\nexit"));
        assertEquals(3, run("mov r0, 1\ngotol skip\nmov r0, 2\nskip:\nadd r0, 2\nexit"));
        assertEquals(10, run("mov r0, 0\nloop:\nadd r0, 1\njlt r0, 10, loop\nexit"));
    }

    @Test
    void loadsAndStoresOfEveryWidth() {
        byte[] mem = hex("11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff 00");
        assertEquals(0x11, run("ldxb r0, [r1+0]\nexit", mem.clone()));
        assertEquals(0x2211, run("ldxh r0, [r1+0]\nexit", mem.clone()));
        assertEquals(0x44332211L, run("ldxw r0, [r1+0]\nexit", mem.clone()));
        assertEquals(0x8877665544332211L, run("ldxdw r0, [r1+0]\nexit", mem.clone()));
        assertEquals(0xccbbaa99L, run("ldxw r0, [r1+8]\nexit", mem.clone()));
        assertEquals(0xff, run("mov r2, r1\nadd r2, 15\nldxb r0, [r2-1]\nexit", mem.clone()));
        assertEquals(0xffeeL, run("ldxh r0, [r1+13]\nexit", mem.clone()));
        assertEquals(0x42, run("stb [r1+3], 0x42\nldxb r0, [r1+3]\nexit", mem.clone()));
        assertEquals(0xbeefL, run("sth [r1+1], 0xbeef\nldxh r0, [r1+1]\nexit", mem.clone()));
        assertEquals(0xfffffffeL, run("stw [r1+4], -2\nldxw r0, [r1+4]\nexit", mem.clone()));
        assertEquals(-2, run("stdw [r1+8], -2\nldxdw r0, [r1+8]\nexit", mem.clone()));
        assertEquals(0x7788, run("lddw r2, 0x1122334455667788\nstxh [r1+0], r2\nldxdw r0, [r1+0]\nand r0, 0xffffff\nexit", mem.clone())
                & 0xffff);
        assertEquals(0x55667788L, run("lddw r2, 0x1122334455667788\nstxw [r1+2], r2\nldxw r0, [r1+2]\nexit", mem.clone()));
        assertEquals(0x88, run("lddw r2, 0x1122334455667788\nstxb [r1+2], r2\nldxb r0, [r1+2]\nexit", mem.clone()));
        assertEquals(0x1122334455667788L, run("lddw r2, 0x1122334455667788\nstxdw [r1+7], r2\nldxdw r0, [r1+7]\nexit", mem.clone()));
    }

    @Test
    void storesAreLittleEndianInMemory() {
        byte[] mem = new byte[8];
        BpfMachine m = machine();
        m.bind(Region.DATA, java.lang.foreign.MemorySegment.ofArray(mem));
        m.run(program("stw [r1+0], 0x01020304\nmov r0, 0\nexit"), m.address(Region.DATA));
        assertEquals("04 03 02 01 00 00 00 00", String.format("%02x %02x %02x %02x %02x %02x %02x %02x",
                mem[0], mem[1], mem[2], mem[3], mem[4], mem[5], mem[6], mem[7]));
    }

    @Test
    void signExtendingLoads() {
        byte[] mem = hex("80 ff 7f 00 00 00 00 80");
        assertEquals(-128, run("ldxsb r0, [r1+0]\nexit", mem));
        assertEquals(127, run("ldxsb r0, [r1+2]\nexit", mem));
        assertEquals((short) 0xff80, run("ldxsh r0, [r1+0]\nexit", mem));
        assertEquals(0x80000000, run("ldxsw r0, [r1+4]\nexit", mem));
        assertEquals(0x007fff80L, run("ldxsw r0, [r1+0]\nexit", mem));
    }

    @Test
    void stackFrameIsUsable() {
        assertEquals(0x1234, run("stdw [r10-8], 0x1234\nldxdw r0, [r10-8]\nexit"));
        assertEquals(7, run("mov r1, 7\nstxw [r10-512], r1\nldxw r0, [r10-512]\nexit"));
        assertEquals(0, run("ldxdw r0, [r10-16]\nexit"), "stack starts zeroed");
    }

    @Test
    void atomics64() {
        String setup = "stdw [r10-8], 10\nmov r1, 3\n";
        assertEquals(13, run(setup + "lock_add64 [r10-8], r1\nldxdw r0, [r10-8]\nexit"));
        assertEquals(10, run(setup + "fetch_add64 [r10-8], r1\nmov r0, r1\nexit"));
        assertEquals(11, run(setup + "lock_or64 [r10-8], r1\nldxdw r0, [r10-8]\nexit"));
        assertEquals(10, run(setup + "fetch_or64 [r10-8], r1\nmov r0, r1\nexit"));
        assertEquals(2, run(setup + "lock_and64 [r10-8], r1\nldxdw r0, [r10-8]\nexit"));
        assertEquals(10, run(setup + "fetch_and64 [r10-8], r1\nldxdw r0, [r10-8]\nadd r0, r1\nsub r0, 2\nexit"));
        assertEquals(9, run(setup + "lock_xor64 [r10-8], r1\nldxdw r0, [r10-8]\nexit"));
        assertEquals(19, run(setup + "fetch_xor64 [r10-8], r1\nldxdw r0, [r10-8]\nadd r0, r1\nexit"));
        assertEquals(13, run(setup + "xchg64 [r10-8], r1\nldxdw r0, [r10-8]\nadd r0, r1\nexit"));
        // cmpxchg: equal -> stores, r0 = old; different -> keeps, r0 = old.
        assertEquals(10 * 1000 + 3, run(setup + "mov r0, 10\ncmpxchg64 [r10-8], r1\nmul r0, 1000\nldxdw r2, [r10-8]\nadd r0, r2\nexit"));
        assertEquals(10 * 1000 + 10, run(setup + "mov r0, 11\ncmpxchg64 [r10-8], r1\nmul r0, 1000\nldxdw r2, [r10-8]\nadd r0, r2\nexit"));
    }

    @Test
    void atomics32ZeroExtend() {
        String setup = "stdw [r10-8], 0\nstw [r10-8], -1\nlddw r1, 0x100000001\n";
        assertEquals(0, run(setup + "lock_add32 [r10-8], r1\nldxdw r0, [r10-8]\nexit"), "wraps within 32 bits");
        assertEquals(0xffffffffL, run(setup + "fetch_add32 [r10-8], r1\nmov r0, r1\nexit"));
        assertEquals(0xffffffffL, run(setup + "fetch_or32 [r10-8], r1\nmov r0, r1\nexit"));
        assertEquals(1, run(setup + "lock_and32 [r10-8], r1\nldxdw r0, [r10-8]\nexit"));
        assertEquals(0xffffffffL, run(setup + "lock_or32 [r10-8], r1\nldxdw r0, [r10-8]\nexit"));
        assertEquals(0xfffffffeL, run(setup + "lock_xor32 [r10-8], r1\nldxdw r0, [r10-8]\nexit"));
        assertEquals(0xffffffffL, run(setup + "fetch_and32 [r10-8], r1\nmov r0, r1\nexit"));
        assertEquals(0xffffffffL, run(setup + "fetch_xor32 [r10-8], r1\nmov r0, r1\nexit"));
        assertEquals(0xffffffffL + 1, run(setup + "xchg32 [r10-8], r1\nldxw r0, [r10-8]\nadd r0, r1\nexit"));
        // cmpxchg32 compares the low half of r0 and zero-extends the old value into r0.
        assertEquals(0xffffffffL, run(setup + "lddw r0, 0x12345678ffffffff\ncmpxchg32 [r10-8], r1\nexit"));
        assertEquals(1, run(setup + "lddw r0, 0x12345678ffffffff\ncmpxchg32 [r10-8], r1\nldxdw r0, [r10-8]\nexit"));
    }

    @Test
    void localCallsGetFreshFramesAndPreserveCalleeSaved() {
        String asm = """
                mov r6, 100
                mov r1, 5
                stdw [r10-8], 77
                call local fn
                ldxdw r2, [r10-8]
                add r0, r6
                add r0, r2
                exit
                fn:
                mov r6, 1
                stdw [r10-8], 1
                mov r0, r1
                add r0, r10
                sub r0, r10
                exit
                """;
        assertEquals(5 + 100 + 77, run(asm));
    }

    @Test
    void nestedCallsUpToEightFrames() {
        StringBuilder sb = new StringBuilder("mov r1, 0\ncall local f1\nexit\n");
        for (int i = 1; i <= 7; i++) {
            sb.append("f").append(i).append(":\nadd r1, 1\n");
            sb.append(i < 7 ? "call local f" + (i + 1) + "\n" : "mov r0, r1\n");
            sb.append("exit\n");
        }
        assertEquals(7, run(sb.toString()));
    }

    @Test
    void callxCallsHelperById() {
        assertEquals(2, run("mov r1, -1\nmov r2, 8\ncallx r2\nadd r0, 2\nexit"));
    }

    @Test
    void unknownHelperThroughCallxFaults() {
        BpfFault f = assertThrows(BpfFault.class, () -> run("mov r2, 999\ncallx r2\nexit"));
        assertEquals(BpfFault.Kind.HELPER, f.kind());
        assertEquals(1, f.pc());
    }

    @Test
    void r2CarriesMemoryLength() {
        assertEquals(16, run("mov r0, r2\nexit", new byte[16]));
    }

    @Test
    void timeAndRandomHelpers() {
        long before = System.nanoTime();
        long t = run("call 5\nexit");
        assertTrue(t >= before && t <= System.nanoTime(), "ktime " + t);
        assertEquals(run("call 7\nmov r6, r0\ncall 7\nxor r0, r6\nexit"), run("call 7\nmov r6, r0\ncall 7\nxor r0, r6\nexit"),
                "prandom is deterministic per fresh machine");
        assertEquals(0, run("call 7\nrsh r0, 32\nexit"), "u32 result");
        assertEquals(0, run("call 8\nexit"));
    }
}
