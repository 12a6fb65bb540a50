package io.jxrp.ebpf;

/**
 * The eBPF instruction encoding of RFC 9669.
 *
 * <pre>
 *  byte 0      byte 1            bytes 2-3        bytes 4-7
 * +----------+--------+--------+----------------+--------------------------------+
 * |  opcode  | src:4  | dst:4  |  offset (s16)  |  imm (s32)                     |
 * +----------+--------+--------+----------------+--------------------------------+
 *   opcode = class (3 low bits) | source bit 0x08 | operation (4 high bits)   ALU/JMP
 *   opcode = class | size (0x18) | mode (0xe0)                                LD/ST
 * </pre>
 *
 * {@code lddw} (0x18) takes two 8-byte slots; the second holds the upper 32 bits of the constant
 * in its imm field and is otherwise zero. All multi-byte fields are little-endian.
 */
public final class Opcodes {
    private Opcodes() {}

    /** Bytes per instruction slot. */
    public static final int INSN_SIZE = 8;

    public static final int CLS_LD = 0x00, CLS_LDX = 0x01, CLS_ST = 0x02, CLS_STX = 0x03,
            CLS_ALU = 0x04, CLS_JMP = 0x05, CLS_JMP32 = 0x06, CLS_ALU64 = 0x07;

    public static final int SRC_K = 0x00, SRC_X = 0x08;

    public static final int ALU_ADD = 0x00, ALU_SUB = 0x10, ALU_MUL = 0x20, ALU_DIV = 0x30,
            ALU_OR = 0x40, ALU_AND = 0x50, ALU_LSH = 0x60, ALU_RSH = 0x70, ALU_NEG = 0x80,
            ALU_MOD = 0x90, ALU_XOR = 0xa0, ALU_MOV = 0xb0, ALU_ARSH = 0xc0, ALU_END = 0xd0;

    public static final int JMP_JA = 0x00, JMP_JEQ = 0x10, JMP_JGT = 0x20, JMP_JGE = 0x30,
            JMP_JSET = 0x40, JMP_JNE = 0x50, JMP_JSGT = 0x60, JMP_JSGE = 0x70, JMP_CALL = 0x80,
            JMP_EXIT = 0x90, JMP_JLT = 0xa0, JMP_JLE = 0xb0, JMP_JSLT = 0xc0, JMP_JSLE = 0xd0;

    public static final int SIZE_W = 0x00, SIZE_H = 0x08, SIZE_B = 0x10, SIZE_DW = 0x18;

    public static final int MODE_IMM = 0x00, MODE_MEM = 0x60, MODE_MEMSX = 0x80, MODE_ATOMIC = 0xc0;

    public static final int ATOMIC_ADD = 0x00, ATOMIC_OR = 0x40, ATOMIC_AND = 0x50, ATOMIC_XOR = 0xa0,
            ATOMIC_FETCH = 0x01, ATOMIC_XCHG = 0xe0 | ATOMIC_FETCH, ATOMIC_CMPXCHG = 0xf0 | ATOMIC_FETCH;

    /** lddw source-register values (pseudo loads). */
    public static final int PSEUDO_NONE = 0, PSEUDO_MAP_FD = 1, PSEUDO_MAP_VALUE = 2;

    /** call source-register values. */
    public static final int CALL_HELPER = 0, CALL_LOCAL = 1;

    public static final int LDDW = CLS_LD | SIZE_DW | MODE_IMM; // 0x18
    public static final int CALL = CLS_JMP | JMP_CALL;            // 0x85
    public static final int CALLX = CLS_JMP | JMP_CALL | SRC_X;   // 0x8d
    public static final int EXIT = CLS_JMP | JMP_EXIT;            // 0x95
    public static final int JA = CLS_JMP | JMP_JA;                // 0x05
    public static final int GOTOL = CLS_JMP32 | JMP_JA;           // 0x06

    public static int cls(int opcode) { return opcode & 0x07; }
    public static int aluOp(int opcode) { return opcode & 0xf0; }
    public static int size(int opcode) { return opcode & 0x18; }
    public static int mode(int opcode) { return opcode & 0xe0; }
    public static boolean isReg(int opcode) { return (opcode & SRC_X) != 0; }

    /** Width in bytes of a load/store size field. */
    public static int widthBytes(int opcode) {
        return switch (size(opcode)) {
            case SIZE_W -> 4;
            case SIZE_H -> 2;
            case SIZE_B -> 1;
            default -> 8;
        };
    }

    /** Packs one slot: the raw little-endian 64-bit value of an instruction. */
    public static long encode(int opcode, int dst, int src, int offset, int imm) {
        return (opcode & 0xffL) | ((long) (dst & 0xf) << 8) | ((long) (src & 0xf) << 12)
                | ((long) (offset & 0xffff) << 16) | ((long) imm << 32);
    }

    public static int opcode(long slot) { return (int) (slot & 0xff); }
    public static int dst(long slot) { return (int) ((slot >>> 8) & 0xf); }
    public static int src(long slot) { return (int) ((slot >>> 12) & 0xf); }
    public static int offset(long slot) { return (short) (slot >>> 16); }
    public static int imm(long slot) { return (int) (slot >>> 32); }
}
