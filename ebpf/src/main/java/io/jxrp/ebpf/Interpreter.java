package io.jxrp.ebpf;

import static io.jxrp.ebpf.Opcodes.*;

import java.lang.foreign.MemorySegment;

/**
 * Executes a verified program instruction by instruction: the reference semantics the JIT is tested
 * against. Instructions are pre-decoded into one long each ({@link BpfProgram#code}: the dispatch
 * key, registers, offset and immediate) and dispatched by one table switch; loads and stores whose
 * region the verifier named go straight to that region's segment (after one compare of ours, or, for
 * 64-bit loads, with the segment's own bounds check sending an access outside it to the checked
 * path), the others through {@link BpfMachine}'s region lookup. Helpers, faults and checked accesses are shared with
 * the JIT through the machine.
 *
 * <p>The instruction count is the JIT's (each basic block charged when entered, the count checked
 * at backward jumps and the final exit) but kept without a per-instruction step: a straight run of
 * instructions is charged when control leaves it. One local, {@code lim}, is the count left plus
 * the pc where the current run started, so the count left after the instruction at pc is
 * {@code lim - pc - 1}; a taken jump by {@code off} moves the run's start and adds {@code off}; the
 * second slot of an lddw, which is no instruction, adds one. A local call also charges, ahead, the
 * rest of its block (as the block's entry did) and its return gives that back; a fault charges the
 * rest of the faulting instruction's block ({@link BpfProgram#tail}). So at every point where the
 * count is checked or seen it equals the per-block count.
 *
 * <p>What each dispatch costs is what C2 makes of {@link #run}: jump cases only say where they go
 * ({@code next}) and one place after the switch applies it, since C2 otherwise computes a jump's
 * {@code pc + off} and count ahead of the switch for every instruction; pairs of an instruction and
 * the conditional jump after it run in one dispatch ({@link #FUSED_MOV64_K}). {@link #run} must
 * stay under HotSpot's 8,000 bytes of bytecode ({@code HugeMethodLimit}), beyond which it is never
 * compiled; {@code InterpreterDecodeTest} checks it.
 */
final class Interpreter {
    private Interpreter() {}

    /**
     * Modes (unused by the ISA) that replace {@code MEM} and {@code MEMSX} in the dispatch key of a
     * load or store whose region the verifier named.
     */
    static final int DIRECT_MEM = 0x20, DIRECT_MEMSX = 0xa0;

    /**
     * Pairs run in one dispatch: an instruction of these kinds followed by a 64-bit conditional jump
     * (not jset) gets one of these keys (unused opcodes of the LD class) and runs the jump in its
     * own case ({@link #jumpIfTaken}). The jump keeps its own word: a jump to it runs it alone. In
     * BPF-KV's node scans a third of all executed instructions are the first of such a pair (an
     * error code set before a compare, a key loaded and compared, an index stepped and compared).
     */
    static final int FUSED_MOV64_K = 0x60, FUSED_MOV32_K = 0x68, FUSED_ADD64_K = 0x70, FUSED_LDX_DW = 0x78;

    /**
     * Triples: a mov of an immediate before a {@link #FUSED_LDX_DW} pair (in BPF-KV's unrolled scan,
     * the slot number set before each key is loaded and compared). A triple whose jump is not taken
     * goes on, in its case, with the {@link #FUSED_MOV32_K} pairs after it (the key's other compares,
     * each with its error code set) and then with the next triple of the same kind: the scan of a
     * node's 31 keys is one dispatch instead of 62 (about 8% less time per hop, min of batches, pinned).
     */
    static final int FUSED_MOV64_K_LDX_DW = 0x40, FUSED_MOV32_K_LDX_DW = 0x48;

    /**
     * For the 64-bit conditional jumps that fuse: which outcomes of a signed compare of (dst, src)
     * jump (bit 0: less, 1: equal, 2: greater) and, bit 3, whether the compare is unsigned (done
     * signed with both sign bits flipped). Zero for every other key.
     */
    private static final int[] FUSABLE = new int[256];

    static {
        int lt = 1, eq = 2, gt = 4, unsigned = 8;
        int[][] conditions = {
            {JMP_JEQ, eq}, {JMP_JNE, lt | gt}, {JMP_JGT, gt | unsigned}, {JMP_JGE, gt | eq | unsigned},
            {JMP_JLT, lt | unsigned}, {JMP_JLE, lt | eq | unsigned}, {JMP_JSGT, gt}, {JMP_JSGE, gt | eq},
            {JMP_JSLT, lt}, {JMP_JSLE, lt | eq},
        };
        for (int[] c : conditions) {
            FUSABLE[CLS_JMP | c[0] | SRC_K] = c[1];
            FUSABLE[CLS_JMP | c[0] | SRC_X] = c[1];
        }
    }

    /**
     * Each instruction as one word: the dispatch key (the opcode, memory modes remapped, fused pairs'
     * keys) | dst << 8 | src << 12 | off << 16 in the low half, the immediate in the high half.
     */
    static long[] decode(BpfProgram p) {
        int n = p.slots.length;
        long[] code = new long[n];
        byte[] cls = p.analysis.facts().accessClass();
        for (int pc = n - 1; pc >= 0; pc--) { // backwards: a triple looks at the next pair's key
            int op = p.op[pc];
            int c = cls(op);
            boolean memory = c == CLS_LDX || c == CLS_ST || (c == CLS_STX && mode(op) == MODE_MEM);
            int key = op;
            if (memory && cls[pc] != RangeAnalysis.CHECKED) {
                key = (op & ~0xe0) | (mode(op) == MODE_MEM ? DIRECT_MEM : DIRECT_MEMSX);
            }
            if (pc + 1 < n && FUSABLE[p.op[pc + 1]] != 0) {
                key = switch (key) {
                    case CLS_ALU64 | ALU_MOV | SRC_K -> FUSED_MOV64_K;
                    case CLS_ALU | ALU_MOV | SRC_K -> FUSED_MOV32_K;
                    case CLS_ALU64 | ALU_ADD | SRC_K -> FUSED_ADD64_K;
                    case CLS_LDX | DIRECT_MEM | SIZE_DW -> FUSED_LDX_DW;
                    default -> key;
                };
            } else if (pc + 1 < n && (code[pc + 1] & 0xff) == FUSED_LDX_DW) {
                key = switch (key) {
                    case CLS_ALU64 | ALU_MOV | SRC_K -> FUSED_MOV64_K_LDX_DW;
                    case CLS_ALU | ALU_MOV | SRC_K -> FUSED_MOV32_K_LDX_DW;
                    default -> key;
                };
            }
            code[pc] = (key | p.dst[pc] << 8 | p.src[pc] << 12 | p.off[pc] << 16) & 0xffffffffL | (long) p.imm[pc] << 32;
        }
        return code;
    }

    /**
     * The fusable conditional jump in word {@code w} (see {@link #FUSABLE}): its offset if it jumps,
     * else 0 (a taken jump by 0 goes where a jump not taken goes, and charges the same).
     */
    private static int jumpIfTaken(long w, long[] r) {
        int j = (int) w;
        int c = FUSABLE[j & 0xff];
        long flip = (long) (c & 8) << 60; // the sign bit for an unsigned compare
        long a = r[(j >>> 8) & 0xf] ^ flip;
        long b = ((j & SRC_X) != 0 ? r[(j >>> 12) & 0xf] : w >> 32) ^ flip;
        return (c >> (Long.compare(a, b) + 1) & 1) != 0 ? j >> 16 : 0;
    }

    /**
     * A direct 64-bit load from region {@code id} at {@code address}: the segment's own bounds check
     * sends an access outside it to the checked path (as in the JIT), instead of a compare of ours in
     * front of the JDK's (3% less time per internal-node hop; the other widths keep the compare).
     */
    private static long load64(BpfMachine m, Object[] readable, int id, long address, int pc) {
        try {
            return ((MemorySegment) readable[id]).get(BpfMachine.U64, address - ((long) id << 32));
        } catch (IndexOutOfBoundsException e) {
            return m.load64(address, pc); // the region lookup: completes the access (another region) or faults
        }
    }

    /** For each instruction, how many follow it in its basic block (the verifier's blocks, {@code blockCost}). */
    static int[] tails(BpfProgram p) {
        int n = p.slots.length;
        int[] cost = p.analysis.blockCost();
        int[] tail = new int[n];
        int left = 0;
        for (int pc = 0; pc < n; pc++) {
            if (cost[pc] != 0) {
                left = cost[pc];
            }
            tail[pc] = --left;
            if (p.op[pc] == LDDW) {
                pc++;
            }
        }
        return tail;
    }

    /**
     * A taken jump from pc by {@code off}: the run up to pc is charged (a backward jump checks the
     * count) and the next run starts at the target; returns the new {@code lim}.
     */
    private static long taken(BpfMachine m, long lim, int pc, int off) {
        if (off < 0 && lim <= pc) {
            throw m.budgetFault(lim - pc - 1, pc);
        }
        return lim + off;
    }

    static long run(BpfMachine m, BpfProgram p, long r1, long r2) {
        final long[] code = p.code;
        final int[] regionOf = p.analysis.facts().accessRegion();
        final long[] wide = p.wide;
        final Object[] readable = m.readable, writable = m.writable;
        final long[] r = m.regs;
        if (r.length != 16) {
            throw new IllegalStateException("register file of " + r.length); // tells the compiler 4-bit indexes are in bounds
        }
        final long[] saved = m.saved;
        java.util.Arrays.fill(r, 0);
        r[1] = r1;
        r[2] = r2;
        r[10] = Addresses.STACK_TOP;
        int frames = 0; // saved registers in use, 11 per frame below the current one
        int pc = 0;
        long lim = m.remaining; // the count left + the pc where this run of instructions started (see above)
        try {
            while (true) {
                long word = code[pc];
                int insn = (int) word;
                int d = (insn >>> 8) & 0xf, s = (insn >>> 12) & 0xf, off = insn >> 16, imm = (int) (word >> 32);
                int next = 0; // where a jump goes, relative to pc + 1: taken jumps are applied after the switch
                switch (insn & 0xff) {
                // ---- ALU64 ----
                case CLS_ALU64 | ALU_ADD | SRC_K -> r[d] += imm;
                case CLS_ALU64 | ALU_ADD | SRC_X -> r[d] += r[s];
                case CLS_ALU64 | ALU_SUB | SRC_K -> r[d] -= imm;
                case CLS_ALU64 | ALU_SUB | SRC_X -> r[d] -= r[s];
                case CLS_ALU64 | ALU_MUL | SRC_K -> r[d] *= imm;
                case CLS_ALU64 | ALU_MUL | SRC_X -> r[d] *= r[s];
                case CLS_ALU64 | ALU_DIV | SRC_K -> r[d] = div64(r[d], imm, off);
                case CLS_ALU64 | ALU_DIV | SRC_X -> r[d] = div64(r[d], r[s], off);
                case CLS_ALU64 | ALU_OR | SRC_K -> r[d] |= imm;
                case CLS_ALU64 | ALU_OR | SRC_X -> r[d] |= r[s];
                case CLS_ALU64 | ALU_AND | SRC_K -> r[d] &= imm;
                case CLS_ALU64 | ALU_AND | SRC_X -> r[d] &= r[s];
                case CLS_ALU64 | ALU_LSH | SRC_K -> r[d] <<= imm;
                case CLS_ALU64 | ALU_LSH | SRC_X -> r[d] <<= r[s];
                case CLS_ALU64 | ALU_RSH | SRC_K -> r[d] >>>= imm;
                case CLS_ALU64 | ALU_RSH | SRC_X -> r[d] >>>= r[s];
                case CLS_ALU64 | ALU_NEG -> r[d] = -r[d];
                case CLS_ALU64 | ALU_MOD | SRC_K -> r[d] = mod64(r[d], imm, off);
                case CLS_ALU64 | ALU_MOD | SRC_X -> r[d] = mod64(r[d], r[s], off);
                case CLS_ALU64 | ALU_XOR | SRC_K -> r[d] ^= imm;
                case CLS_ALU64 | ALU_XOR | SRC_X -> r[d] ^= r[s];
                case CLS_ALU64 | ALU_MOV | SRC_K -> r[d] = imm;
                case CLS_ALU64 | ALU_MOV | SRC_X -> r[d] = off == 0 ? r[s] : movsx64(r[s], off);
                case CLS_ALU64 | ALU_ARSH | SRC_K -> r[d] >>= imm;
                case CLS_ALU64 | ALU_ARSH | SRC_X -> r[d] >>= r[s];
                case CLS_ALU64 | ALU_END -> r[d] = bswap(r[d], imm);
                // ---- ALU (32-bit, zero-extended) ----
                case CLS_ALU | ALU_ADD | SRC_K -> r[d] = u32((int) r[d] + imm);
                case CLS_ALU | ALU_ADD | SRC_X -> r[d] = u32((int) r[d] + (int) r[s]);
                case CLS_ALU | ALU_SUB | SRC_K -> r[d] = u32((int) r[d] - imm);
                case CLS_ALU | ALU_SUB | SRC_X -> r[d] = u32((int) r[d] - (int) r[s]);
                case CLS_ALU | ALU_MUL | SRC_K -> r[d] = u32((int) r[d] * imm);
                case CLS_ALU | ALU_MUL | SRC_X -> r[d] = u32((int) r[d] * (int) r[s]);
                case CLS_ALU | ALU_DIV | SRC_K -> r[d] = div32((int) r[d], imm, off);
                case CLS_ALU | ALU_DIV | SRC_X -> r[d] = div32((int) r[d], (int) r[s], off);
                case CLS_ALU | ALU_OR | SRC_K -> r[d] = u32((int) r[d] | imm);
                case CLS_ALU | ALU_OR | SRC_X -> r[d] = u32((int) r[d] | (int) r[s]);
                case CLS_ALU | ALU_AND | SRC_K -> r[d] = u32((int) r[d] & imm);
                case CLS_ALU | ALU_AND | SRC_X -> r[d] = u32((int) r[d] & (int) r[s]);
                case CLS_ALU | ALU_LSH | SRC_K -> r[d] = u32((int) r[d] << imm);
                case CLS_ALU | ALU_LSH | SRC_X -> r[d] = u32((int) r[d] << (int) r[s]);
                case CLS_ALU | ALU_RSH | SRC_K -> r[d] = u32((int) r[d] >>> imm);
                case CLS_ALU | ALU_RSH | SRC_X -> r[d] = u32((int) r[d] >>> (int) r[s]);
                case CLS_ALU | ALU_NEG -> r[d] = u32(-(int) r[d]);
                case CLS_ALU | ALU_MOD | SRC_K -> r[d] = mod32((int) r[d], imm, off);
                case CLS_ALU | ALU_MOD | SRC_X -> r[d] = mod32((int) r[d], (int) r[s], off);
                case CLS_ALU | ALU_XOR | SRC_K -> r[d] = u32((int) r[d] ^ imm);
                case CLS_ALU | ALU_XOR | SRC_X -> r[d] = u32((int) r[d] ^ (int) r[s]);
                case CLS_ALU | ALU_MOV | SRC_K -> r[d] = u32(imm);
                case CLS_ALU | ALU_MOV | SRC_X -> r[d] = movsx32(r[s], off);
                case CLS_ALU | ALU_ARSH | SRC_K -> r[d] = u32((int) r[d] >> imm);
                case CLS_ALU | ALU_ARSH | SRC_X -> r[d] = u32((int) r[d] >> (int) r[s]);
                case CLS_ALU | ALU_END | SRC_K -> r[d] = toLe(r[d], imm);
                case CLS_ALU | ALU_END | SRC_X -> r[d] = bswap(r[d], imm);
                // ---- an instruction and the conditional jump after it ----
                // a jump not taken that leads to another pair of the same kind goes on with it here; the
                // two widths stay two cases: one case choosing the width per pair (and chaining across widths)
                // measured 2-3% slower per hop (min of batches, pinned)
                case FUSED_MOV64_K -> {
                    while (true) {
                        r[d] = imm;
                        next = jumpIfTaken(code[++pc], r);
                        long w = code[pc + 1];
                        if (next != 0 || (w & 0xff) != FUSED_MOV64_K) {
                            break;
                        }
                        pc++;
                        d = ((int) w >>> 8) & 0xf;
                        imm = (int) (w >> 32);
                    }
                }
                case FUSED_MOV32_K -> {
                    while (true) {
                        r[d] = u32(imm);
                        next = jumpIfTaken(code[++pc], r);
                        long w = code[pc + 1];
                        if (next != 0 || (w & 0xff) != FUSED_MOV32_K) {
                            break;
                        }
                        pc++;
                        d = ((int) w >>> 8) & 0xf;
                        imm = (int) (w >> 32);
                    }
                }
                case FUSED_ADD64_K -> {
                    r[d] += imm;
                    next = jumpIfTaken(code[++pc], r);
                }
                case FUSED_LDX_DW -> {
                    r[d] = load64(m, readable, regionOf[pc], r[s] + off, pc);
                    next = jumpIfTaken(code[++pc], r);
                }
                case FUSED_MOV64_K_LDX_DW, FUSED_MOV32_K_LDX_DW -> {
                    triples:
                    while (true) {
                        r[d] = (insn & 0xff) == FUSED_MOV64_K_LDX_DW ? imm : u32(imm);
                        int load = (int) code[++pc];
                        r[(load >>> 8) & 0xf] = load64(m, readable, regionOf[pc], r[(load >>> 12) & 0xf] + (load >> 16), pc);
                        next = jumpIfTaken(code[++pc], r);
                        if (next != 0) {
                            break;
                        }
                        long w = code[pc + 1];
                        while ((w & 0xff) == FUSED_MOV32_K) { // the compares after the load, each with its error code set
                            pc++;
                            r[((int) w >>> 8) & 0xf] = u32((int) (w >> 32));
                            next = jumpIfTaken(code[++pc], r);
                            if (next != 0) {
                                break triples;
                            }
                            w = code[pc + 1];
                        }
                        if ((w & 0xff) != (insn & 0xff)) {
                            break;
                        }
                        pc++;
                        d = ((int) w >>> 8) & 0xf;
                        imm = (int) (w >> 32);
                    }
                }
                // ---- loads and stores ----
                case LDDW -> {
                    r[d] = wide[pc];
                    pc++;
                    lim++; // a slot, not an instruction
                }
                case CLS_LDX | DIRECT_MEM | SIZE_B -> {
                    int id = regionOf[pc];
                    MemorySegment seg = (MemorySegment) readable[id];
                    long o = r[s] + off - ((long) id << 32);
                    r[d] = (o | (seg.byteSize() - 1 - o)) >= 0 ? seg.get(BpfMachine.U8, o) & 0xffL : m.load8(r[s] + off, pc);
                }
                case CLS_LDX | DIRECT_MEM | SIZE_H -> {
                    int id = regionOf[pc];
                    MemorySegment seg = (MemorySegment) readable[id];
                    long o = r[s] + off - ((long) id << 32);
                    r[d] = (o | (seg.byteSize() - 2 - o)) >= 0 ? seg.get(BpfMachine.U16, o) & 0xffffL : m.load16(r[s] + off, pc);
                }
                case CLS_LDX | DIRECT_MEM | SIZE_W -> {
                    int id = regionOf[pc];
                    MemorySegment seg = (MemorySegment) readable[id];
                    long o = r[s] + off - ((long) id << 32);
                    r[d] = (o | (seg.byteSize() - 4 - o)) >= 0 ? seg.get(BpfMachine.U32, o) & 0xffffffffL : m.load32(r[s] + off, pc);
                }
                case CLS_LDX | DIRECT_MEM | SIZE_DW -> r[d] = load64(m, readable, regionOf[pc], r[s] + off, pc);
                case CLS_LDX | DIRECT_MEMSX | SIZE_B -> {
                    int id = regionOf[pc];
                    MemorySegment seg = (MemorySegment) readable[id];
                    long o = r[s] + off - ((long) id << 32);
                    r[d] = (o | (seg.byteSize() - 1 - o)) >= 0 ? seg.get(BpfMachine.U8, o) : m.load8s(r[s] + off, pc);
                }
                case CLS_LDX | DIRECT_MEMSX | SIZE_H -> {
                    int id = regionOf[pc];
                    MemorySegment seg = (MemorySegment) readable[id];
                    long o = r[s] + off - ((long) id << 32);
                    r[d] = (o | (seg.byteSize() - 2 - o)) >= 0 ? seg.get(BpfMachine.U16, o) : m.load16s(r[s] + off, pc);
                }
                case CLS_LDX | DIRECT_MEMSX | SIZE_W -> {
                    int id = regionOf[pc];
                    MemorySegment seg = (MemorySegment) readable[id];
                    long o = r[s] + off - ((long) id << 32);
                    r[d] = (o | (seg.byteSize() - 4 - o)) >= 0 ? seg.get(BpfMachine.U32, o) : m.load32s(r[s] + off, pc);
                }
                case CLS_ST | DIRECT_MEM | SIZE_B -> {
                    int id = regionOf[pc];
                    MemorySegment seg = (MemorySegment) writable[id];
                    long o = r[d] + off - ((long) id << 32);
                    if ((o | (seg.byteSize() - 1 - o)) >= 0) {
                        seg.set(BpfMachine.U8, o, (byte) imm);
                    } else {
                        m.store8(r[d] + off, imm, pc);
                    }
                }
                case CLS_ST | DIRECT_MEM | SIZE_H -> {
                    int id = regionOf[pc];
                    MemorySegment seg = (MemorySegment) writable[id];
                    long o = r[d] + off - ((long) id << 32);
                    if ((o | (seg.byteSize() - 2 - o)) >= 0) {
                        seg.set(BpfMachine.U16, o, (short) imm);
                    } else {
                        m.store16(r[d] + off, imm, pc);
                    }
                }
                case CLS_ST | DIRECT_MEM | SIZE_W -> {
                    int id = regionOf[pc];
                    MemorySegment seg = (MemorySegment) writable[id];
                    long o = r[d] + off - ((long) id << 32);
                    if ((o | (seg.byteSize() - 4 - o)) >= 0) {
                        seg.set(BpfMachine.U32, o, imm);
                    } else {
                        m.store32(r[d] + off, imm, pc);
                    }
                }
                case CLS_ST | DIRECT_MEM | SIZE_DW -> {
                    int id = regionOf[pc];
                    MemorySegment seg = (MemorySegment) writable[id];
                    long o = r[d] + off - ((long) id << 32);
                    if ((o | (seg.byteSize() - 8 - o)) >= 0) {
                        seg.set(BpfMachine.U64, o, (long) imm);
                    } else {
                        m.store64(r[d] + off, imm, pc);
                    }
                }
                case CLS_STX | DIRECT_MEM | SIZE_B -> {
                    int id = regionOf[pc];
                    MemorySegment seg = (MemorySegment) writable[id];
                    long o = r[d] + off - ((long) id << 32);
                    if ((o | (seg.byteSize() - 1 - o)) >= 0) {
                        seg.set(BpfMachine.U8, o, (byte) r[s]);
                    } else {
                        m.store8(r[d] + off, r[s], pc);
                    }
                }
                case CLS_STX | DIRECT_MEM | SIZE_H -> {
                    int id = regionOf[pc];
                    MemorySegment seg = (MemorySegment) writable[id];
                    long o = r[d] + off - ((long) id << 32);
                    if ((o | (seg.byteSize() - 2 - o)) >= 0) {
                        seg.set(BpfMachine.U16, o, (short) r[s]);
                    } else {
                        m.store16(r[d] + off, r[s], pc);
                    }
                }
                case CLS_STX | DIRECT_MEM | SIZE_W -> {
                    int id = regionOf[pc];
                    MemorySegment seg = (MemorySegment) writable[id];
                    long o = r[d] + off - ((long) id << 32);
                    if ((o | (seg.byteSize() - 4 - o)) >= 0) {
                        seg.set(BpfMachine.U32, o, (int) r[s]);
                    } else {
                        m.store32(r[d] + off, r[s], pc);
                    }
                }
                case CLS_STX | DIRECT_MEM | SIZE_DW -> {
                    int id = regionOf[pc];
                    MemorySegment seg = (MemorySegment) writable[id];
                    long o = r[d] + off - ((long) id << 32);
                    if ((o | (seg.byteSize() - 8 - o)) >= 0) {
                        seg.set(BpfMachine.U64, o, r[s]);
                    } else {
                        m.store64(r[d] + off, r[s], pc);
                    }
                }
                case CLS_LDX | MODE_MEM | SIZE_B -> r[d] = m.load8(r[s] + off, pc);
                case CLS_LDX | MODE_MEM | SIZE_H -> r[d] = m.load16(r[s] + off, pc);
                case CLS_LDX | MODE_MEM | SIZE_W -> r[d] = m.load32(r[s] + off, pc);
                case CLS_LDX | MODE_MEM | SIZE_DW -> r[d] = m.load64(r[s] + off, pc);
                case CLS_LDX | MODE_MEMSX | SIZE_B -> r[d] = m.load8s(r[s] + off, pc);
                case CLS_LDX | MODE_MEMSX | SIZE_H -> r[d] = m.load16s(r[s] + off, pc);
                case CLS_LDX | MODE_MEMSX | SIZE_W -> r[d] = m.load32s(r[s] + off, pc);
                case CLS_ST | MODE_MEM | SIZE_B -> m.store8(r[d] + off, imm, pc);
                case CLS_ST | MODE_MEM | SIZE_H -> m.store16(r[d] + off, imm, pc);
                case CLS_ST | MODE_MEM | SIZE_W -> m.store32(r[d] + off, imm, pc);
                case CLS_ST | MODE_MEM | SIZE_DW -> m.store64(r[d] + off, imm, pc);
                case CLS_STX | MODE_MEM | SIZE_B -> m.store8(r[d] + off, r[s], pc);
                case CLS_STX | MODE_MEM | SIZE_H -> m.store16(r[d] + off, r[s], pc);
                case CLS_STX | MODE_MEM | SIZE_W -> m.store32(r[d] + off, r[s], pc);
                case CLS_STX | MODE_MEM | SIZE_DW -> m.store64(r[d] + off, r[s], pc);
                case CLS_STX | MODE_ATOMIC | SIZE_W, CLS_STX | MODE_ATOMIC | SIZE_DW -> {
                    boolean w64 = ((insn & 0xff) & 0x18) == SIZE_DW;
                    if (imm == ATOMIC_CMPXCHG) {
                        r[0] = m.compareExchange(w64, r[d] + off, w64 ? r[0] : r[0] & 0xffffffffL, r[s], pc);
                    } else {
                        long old = m.atomic(imm, w64, r[d] + off, r[s], pc);
                        if ((imm & ATOMIC_FETCH) != 0) {
                            r[s] = old;
                        }
                    }
                }
                // ---- jumps ----
                case JA -> next = off;
                case GOTOL -> next = imm;
                case CLS_JMP | JMP_JEQ | SRC_K -> next = r[d] == imm ? off : 0;
                case CLS_JMP32 | JMP_JEQ | SRC_K -> next = (int) r[d] == imm ? off : 0;
                case CLS_JMP | JMP_JEQ | SRC_X -> next = r[d] == r[s] ? off : 0;
                case CLS_JMP32 | JMP_JEQ | SRC_X -> next = (int) r[d] == (int) r[s] ? off : 0;
                case CLS_JMP | JMP_JGT | SRC_K -> next = Long.compareUnsigned(r[d], imm) > 0 ? off : 0;
                case CLS_JMP32 | JMP_JGT | SRC_K -> next = Integer.compareUnsigned((int) r[d], imm) > 0 ? off : 0;
                case CLS_JMP | JMP_JGT | SRC_X -> next = Long.compareUnsigned(r[d], r[s]) > 0 ? off : 0;
                case CLS_JMP32 | JMP_JGT | SRC_X -> next = Integer.compareUnsigned((int) r[d], (int) r[s]) > 0 ? off : 0;
                case CLS_JMP | JMP_JGE | SRC_K -> next = Long.compareUnsigned(r[d], imm) >= 0 ? off : 0;
                case CLS_JMP32 | JMP_JGE | SRC_K -> next = Integer.compareUnsigned((int) r[d], imm) >= 0 ? off : 0;
                case CLS_JMP | JMP_JGE | SRC_X -> next = Long.compareUnsigned(r[d], r[s]) >= 0 ? off : 0;
                case CLS_JMP32 | JMP_JGE | SRC_X -> next = Integer.compareUnsigned((int) r[d], (int) r[s]) >= 0 ? off : 0;
                case CLS_JMP | JMP_JSET | SRC_K -> next = (r[d] & imm) != 0 ? off : 0;
                case CLS_JMP32 | JMP_JSET | SRC_K -> next = ((int) r[d] & imm) != 0 ? off : 0;
                case CLS_JMP | JMP_JSET | SRC_X -> next = (r[d] & r[s]) != 0 ? off : 0;
                case CLS_JMP32 | JMP_JSET | SRC_X -> next = ((int) r[d] & (int) r[s]) != 0 ? off : 0;
                case CLS_JMP | JMP_JNE | SRC_K -> next = r[d] != imm ? off : 0;
                case CLS_JMP32 | JMP_JNE | SRC_K -> next = (int) r[d] != imm ? off : 0;
                case CLS_JMP | JMP_JNE | SRC_X -> next = r[d] != r[s] ? off : 0;
                case CLS_JMP32 | JMP_JNE | SRC_X -> next = (int) r[d] != (int) r[s] ? off : 0;
                case CLS_JMP | JMP_JSGT | SRC_K -> next = r[d] > imm ? off : 0;
                case CLS_JMP32 | JMP_JSGT | SRC_K -> next = (int) r[d] > imm ? off : 0;
                case CLS_JMP | JMP_JSGT | SRC_X -> next = r[d] > r[s] ? off : 0;
                case CLS_JMP32 | JMP_JSGT | SRC_X -> next = (int) r[d] > (int) r[s] ? off : 0;
                case CLS_JMP | JMP_JSGE | SRC_K -> next = r[d] >= imm ? off : 0;
                case CLS_JMP32 | JMP_JSGE | SRC_K -> next = (int) r[d] >= imm ? off : 0;
                case CLS_JMP | JMP_JSGE | SRC_X -> next = r[d] >= r[s] ? off : 0;
                case CLS_JMP32 | JMP_JSGE | SRC_X -> next = (int) r[d] >= (int) r[s] ? off : 0;
                case CLS_JMP | JMP_JLT | SRC_K -> next = Long.compareUnsigned(r[d], imm) < 0 ? off : 0;
                case CLS_JMP32 | JMP_JLT | SRC_K -> next = Integer.compareUnsigned((int) r[d], imm) < 0 ? off : 0;
                case CLS_JMP | JMP_JLT | SRC_X -> next = Long.compareUnsigned(r[d], r[s]) < 0 ? off : 0;
                case CLS_JMP32 | JMP_JLT | SRC_X -> next = Integer.compareUnsigned((int) r[d], (int) r[s]) < 0 ? off : 0;
                case CLS_JMP | JMP_JLE | SRC_K -> next = Long.compareUnsigned(r[d], imm) <= 0 ? off : 0;
                case CLS_JMP32 | JMP_JLE | SRC_K -> next = Integer.compareUnsigned((int) r[d], imm) <= 0 ? off : 0;
                case CLS_JMP | JMP_JLE | SRC_X -> next = Long.compareUnsigned(r[d], r[s]) <= 0 ? off : 0;
                case CLS_JMP32 | JMP_JLE | SRC_X -> next = Integer.compareUnsigned((int) r[d], (int) r[s]) <= 0 ? off : 0;
                case CLS_JMP | JMP_JSLT | SRC_K -> next = r[d] < imm ? off : 0;
                case CLS_JMP32 | JMP_JSLT | SRC_K -> next = (int) r[d] < imm ? off : 0;
                case CLS_JMP | JMP_JSLT | SRC_X -> next = r[d] < r[s] ? off : 0;
                case CLS_JMP32 | JMP_JSLT | SRC_X -> next = (int) r[d] < (int) r[s] ? off : 0;
                case CLS_JMP | JMP_JSLE | SRC_K -> next = r[d] <= imm ? off : 0;
                case CLS_JMP32 | JMP_JSLE | SRC_K -> next = (int) r[d] <= imm ? off : 0;
                case CLS_JMP | JMP_JSLE | SRC_X -> next = r[d] <= r[s] ? off : 0;
                case CLS_JMP32 | JMP_JSLE | SRC_X -> next = (int) r[d] <= (int) r[s] ? off : 0;
                case CALL -> {
                    if (s == CALL_LOCAL) {
                        if (frames + 11 >= Verifier.MAX_FRAMES * 11) {
                            throw m.fault(BpfFault.Kind.CALL_DEPTH, pc, "more than " + Verifier.MAX_FRAMES + " frames");
                        }
                        System.arraycopy(r, 1, saved, frames, 10);
                        saved[frames + 10] = pc;
                        frames += 11;
                        r[0] = 0;
                        r[6] = r[7] = r[8] = r[9] = 0;
                        r[10] -= Verifier.FRAME_BYTES;
                        lim += imm - p.tail[pc]; // the rest of the caller's block, charged on entry
                        pc += imm;
                    } else {
                        r[0] = m.callHelper(imm, r[1], r[2], r[3], r[4], r[5], pc);
                    }
                }
                case CALLX -> r[0] = m.callHelper(r[d], r[1], r[2], r[3], r[4], r[5], pc);
                case EXIT -> {
                    if (frames == 0) {
                        if (lim <= pc) {
                            throw m.budgetFault(lim - pc - 1, pc);
                        }
                        m.remaining = lim - pc - 1;
                        return r[0];
                    }
                    frames -= 11;
                    System.arraycopy(saved, frames, r, 1, 10);
                    int call = (int) saved[frames + 10];
                    lim += call - pc + p.tail[call]; // back after the call, its block's rest given back
                    pc = call;
                }
                default -> throw new IllegalStateException("unverified opcode 0x" + Integer.toHexString(insn & 0xff) + " at " + pc);
                }
                if (next != 0) { // one place for every jump: C2 would otherwise compute pc + off and lim + off ahead of the switch for all
                    lim = taken(m, lim, pc, next);
                    pc += next;
                }
                pc++;
            }
        } catch (BpfFault fault) {
            if (fault.kind() != BpfFault.Kind.BUDGET) {
                m.remaining = lim - pc - 1 - p.tail[pc]; // the count up to the fault, its block charged, as the JIT leaves it
            }
            throw fault;
        }
    }

    /** Conditional jumps of both classes; {@code b} is the register or the sign-extended imm. */
    static boolean jump(int op, long a, long b) {
        if (cls(op) == CLS_JMP32) {
            int x = (int) a, y = (int) b;
            return switch (aluOp(op)) {
                case JMP_JEQ -> x == y;
                case JMP_JGT -> Integer.compareUnsigned(x, y) > 0;
                case JMP_JGE -> Integer.compareUnsigned(x, y) >= 0;
                case JMP_JSET -> (x & y) != 0;
                case JMP_JNE -> x != y;
                case JMP_JSGT -> x > y;
                case JMP_JSGE -> x >= y;
                case JMP_JLT -> Integer.compareUnsigned(x, y) < 0;
                case JMP_JLE -> Integer.compareUnsigned(x, y) <= 0;
                case JMP_JSLT -> x < y;
                default -> x <= y; // JSLE; the verifier admits nothing else
            };
        }
        return switch (aluOp(op)) {
            case JMP_JEQ -> a == b;
            case JMP_JGT -> Long.compareUnsigned(a, b) > 0;
            case JMP_JGE -> Long.compareUnsigned(a, b) >= 0;
            case JMP_JSET -> (a & b) != 0;
            case JMP_JNE -> a != b;
            case JMP_JSGT -> a > b;
            case JMP_JSGE -> a >= b;
            case JMP_JLT -> Long.compareUnsigned(a, b) < 0;
            case JMP_JLE -> Long.compareUnsigned(a, b) <= 0;
            case JMP_JSLT -> a < b;
            default -> a <= b;
        };
    }

    // The helpers below are also called from generated code.

    static long u32(int v) {
        return v & 0xffffffffL;
    }

    static long div64(long a, long b, int signed) {
        if (b == 0) {
            return 0;
        }
        return signed != 0 ? a / b : Long.divideUnsigned(a, b);
    }

    static long mod64(long a, long b, int signed) {
        if (b == 0) {
            return a;
        }
        return signed != 0 ? a % b : Long.remainderUnsigned(a, b);
    }

    static long div32(int a, int b, int signed) {
        if (b == 0) {
            return 0;
        }
        return u32(signed != 0 ? a / b : Integer.divideUnsigned(a, b));
    }

    static long mod32(int a, int b, int signed) {
        if (b == 0) {
            return u32(a);
        }
        return u32(signed != 0 ? a % b : Integer.remainderUnsigned(a, b));
    }

    static long movsx64(long v, int bits) {
        return switch (bits) {
            case 8 -> (byte) v;
            case 16 -> (short) v;
            case 32 -> (int) v;
            default -> v;
        };
    }

    static long movsx32(long v, int bits) {
        return switch (bits) {
            case 8 -> u32((byte) v);
            case 16 -> u32((short) v);
            default -> u32((int) v);
        };
    }

    /** to-little-endian on a little-endian machine: truncate. */
    static long toLe(long v, int bits) {
        return switch (bits) {
            case 16 -> v & 0xffffL;
            case 32 -> v & 0xffffffffL;
            default -> v;
        };
    }

    /** to-big-endian and bswap: reverse the low {@code bits}, zero the rest. */
    static long bswap(long v, int bits) {
        return switch (bits) {
            case 16 -> Short.reverseBytes((short) v) & 0xffffL;
            case 32 -> Integer.reverseBytes((int) v) & 0xffffffffL;
            default -> Long.reverseBytes(v);
        };
    }
}
