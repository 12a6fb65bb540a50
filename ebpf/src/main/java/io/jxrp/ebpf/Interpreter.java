package io.jxrp.ebpf;

import static io.jxrp.ebpf.Opcodes.*;

import java.lang.foreign.MemorySegment;

/**
 * Executes a verified program instruction by instruction: the reference semantics the JIT is tested
 * against. Instructions are pre-decoded into one int each ({@link BpfProgram#code}: the dispatch
 * key, registers and offset) and dispatched by one table switch; the instruction count lives in a
 * local (charged per block, checked at backward jumps and the final exit, as in the JIT); loads and
 * stores whose region the verifier named go straight to that region's segment after one compare,
 * the others through {@link BpfMachine}'s region lookup. Helpers, faults and checked accesses are
 * shared with the JIT through the machine.
 */
final class Interpreter {
    private Interpreter() {}

    /**
     * Modes (unused by the ISA) that replace {@code MEM} and {@code MEMSX} in the dispatch key of a
     * load or store whose region the verifier named.
     */
    static final int DIRECT_MEM = 0x20, DIRECT_MEMSX = 0xa0;

    /**
     * Each instruction as one word: opcode (memory modes remapped) | dst << 8 | src << 12 | off << 16
     * in the low half, the immediate in the high half.
     */
    static long[] decode(BpfProgram p) {
        int n = p.slots.length;
        long[] code = new long[n];
        byte[] cls = p.analysis.facts().accessClass();
        for (int pc = 0; pc < n; pc++) {
            int op = p.op[pc];
            int c = cls(op);
            boolean memory = c == CLS_LDX || c == CLS_ST || (c == CLS_STX && mode(op) == MODE_MEM);
            int key = op;
            if (memory && cls[pc] != RangeAnalysis.CHECKED) {
                key = (op & ~0xe0) | (mode(op) == MODE_MEM ? DIRECT_MEM : DIRECT_MEMSX);
            }
            code[pc] = (key | p.dst[pc] << 8 | p.src[pc] << 12 | p.off[pc] << 16) & 0xffffffffL | (long) p.imm[pc] << 32;
        }
        return code;
    }

    /** A taken jump by {@code off}: a backward one checks the count first. */
    private static long taken(BpfMachine m, long rem, int pc, int off) {
        if (off < 0 && rem < 0) {
            throw m.budgetFault(rem, pc);
        }
        return rem;
    }

    static long run(BpfMachine m, BpfProgram p, long r1, long r2) {
        final long[] code = p.code;
        final int[] cost = p.analysis.blockCost();
        final int[] regionOf = p.analysis.facts().accessRegion();
        final long[] wide = p.wide;
        final MemorySegment[] readable = m.readable, writable = m.writable;
        final long[] r = m.regs;
        if (r.length != 16) {
            throw new IllegalStateException("register file of " + r.length); // tells the compiler 4-bit indexes are in bounds
        }
        final long[] saved = m.saved;
        java.util.Arrays.fill(r, 0);
        r[1] = r1;
        r[2] = r2;
        r[10] = Addresses.STACK_TOP;
        int depth = 0;
        int pc = 0;
        long rem = m.remaining;
        try {
            while (true) {
                rem -= cost[pc];
                long word = code[pc];
                int insn = (int) word;
                int d = (insn >>> 8) & 0xf, s = (insn >>> 12) & 0xf, off = insn >> 16, imm = (int) (word >> 32);
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
                // ---- loads and stores ----
                case LDDW -> {
                    r[d] = wide[pc];
                    pc++;
                }
                case CLS_LDX | DIRECT_MEM | SIZE_B -> {
                    int id = regionOf[pc];
                    MemorySegment seg = readable[id];
                    long o = r[s] + off - ((long) id << 32);
                    r[d] = (o | (seg.byteSize() - 1 - o)) >= 0 ? seg.get(BpfMachine.U8, o) & 0xffL : m.load8(r[s] + off, pc);
                }
                case CLS_LDX | DIRECT_MEM | SIZE_H -> {
                    int id = regionOf[pc];
                    MemorySegment seg = readable[id];
                    long o = r[s] + off - ((long) id << 32);
                    r[d] = (o | (seg.byteSize() - 2 - o)) >= 0 ? seg.get(BpfMachine.U16, o) & 0xffffL : m.load16(r[s] + off, pc);
                }
                case CLS_LDX | DIRECT_MEM | SIZE_W -> {
                    int id = regionOf[pc];
                    MemorySegment seg = readable[id];
                    long o = r[s] + off - ((long) id << 32);
                    r[d] = (o | (seg.byteSize() - 4 - o)) >= 0 ? seg.get(BpfMachine.U32, o) & 0xffffffffL : m.load32(r[s] + off, pc);
                }
                case CLS_LDX | DIRECT_MEM | SIZE_DW -> {
                    int id = regionOf[pc];
                    MemorySegment seg = readable[id];
                    long o = r[s] + off - ((long) id << 32);
                    r[d] = (o | (seg.byteSize() - 8 - o)) >= 0 ? seg.get(BpfMachine.U64, o) : m.load64(r[s] + off, pc);
                }
                case CLS_LDX | DIRECT_MEMSX | SIZE_B -> {
                    int id = regionOf[pc];
                    MemorySegment seg = readable[id];
                    long o = r[s] + off - ((long) id << 32);
                    r[d] = (o | (seg.byteSize() - 1 - o)) >= 0 ? seg.get(BpfMachine.U8, o) : m.load8s(r[s] + off, pc);
                }
                case CLS_LDX | DIRECT_MEMSX | SIZE_H -> {
                    int id = regionOf[pc];
                    MemorySegment seg = readable[id];
                    long o = r[s] + off - ((long) id << 32);
                    r[d] = (o | (seg.byteSize() - 2 - o)) >= 0 ? seg.get(BpfMachine.U16, o) : m.load16s(r[s] + off, pc);
                }
                case CLS_LDX | DIRECT_MEMSX | SIZE_W -> {
                    int id = regionOf[pc];
                    MemorySegment seg = readable[id];
                    long o = r[s] + off - ((long) id << 32);
                    r[d] = (o | (seg.byteSize() - 4 - o)) >= 0 ? seg.get(BpfMachine.U32, o) : m.load32s(r[s] + off, pc);
                }
                case CLS_ST | DIRECT_MEM | SIZE_B -> {
                    int id = regionOf[pc];
                    MemorySegment seg = writable[id];
                    long o = r[d] + off - ((long) id << 32);
                    if ((o | (seg.byteSize() - 1 - o)) >= 0) {
                        seg.set(BpfMachine.U8, o, (byte) imm);
                    } else {
                        m.store8(r[d] + off, imm, pc);
                    }
                }
                case CLS_ST | DIRECT_MEM | SIZE_H -> {
                    int id = regionOf[pc];
                    MemorySegment seg = writable[id];
                    long o = r[d] + off - ((long) id << 32);
                    if ((o | (seg.byteSize() - 2 - o)) >= 0) {
                        seg.set(BpfMachine.U16, o, (short) imm);
                    } else {
                        m.store16(r[d] + off, imm, pc);
                    }
                }
                case CLS_ST | DIRECT_MEM | SIZE_W -> {
                    int id = regionOf[pc];
                    MemorySegment seg = writable[id];
                    long o = r[d] + off - ((long) id << 32);
                    if ((o | (seg.byteSize() - 4 - o)) >= 0) {
                        seg.set(BpfMachine.U32, o, imm);
                    } else {
                        m.store32(r[d] + off, imm, pc);
                    }
                }
                case CLS_ST | DIRECT_MEM | SIZE_DW -> {
                    int id = regionOf[pc];
                    MemorySegment seg = writable[id];
                    long o = r[d] + off - ((long) id << 32);
                    if ((o | (seg.byteSize() - 8 - o)) >= 0) {
                        seg.set(BpfMachine.U64, o, (long) imm);
                    } else {
                        m.store64(r[d] + off, imm, pc);
                    }
                }
                case CLS_STX | DIRECT_MEM | SIZE_B -> {
                    int id = regionOf[pc];
                    MemorySegment seg = writable[id];
                    long o = r[d] + off - ((long) id << 32);
                    if ((o | (seg.byteSize() - 1 - o)) >= 0) {
                        seg.set(BpfMachine.U8, o, (byte) r[s]);
                    } else {
                        m.store8(r[d] + off, r[s], pc);
                    }
                }
                case CLS_STX | DIRECT_MEM | SIZE_H -> {
                    int id = regionOf[pc];
                    MemorySegment seg = writable[id];
                    long o = r[d] + off - ((long) id << 32);
                    if ((o | (seg.byteSize() - 2 - o)) >= 0) {
                        seg.set(BpfMachine.U16, o, (short) r[s]);
                    } else {
                        m.store16(r[d] + off, r[s], pc);
                    }
                }
                case CLS_STX | DIRECT_MEM | SIZE_W -> {
                    int id = regionOf[pc];
                    MemorySegment seg = writable[id];
                    long o = r[d] + off - ((long) id << 32);
                    if ((o | (seg.byteSize() - 4 - o)) >= 0) {
                        seg.set(BpfMachine.U32, o, (int) r[s]);
                    } else {
                        m.store32(r[d] + off, r[s], pc);
                    }
                }
                case CLS_STX | DIRECT_MEM | SIZE_DW -> {
                    int id = regionOf[pc];
                    MemorySegment seg = writable[id];
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
                case JA -> {
                    rem = taken(m, rem, pc, off);
                    pc += off;
                }
                case GOTOL -> {
                    rem = taken(m, rem, pc, imm);
                    pc += imm;
                }
                case CLS_JMP | JMP_JEQ | SRC_K -> {
                    if (r[d] == imm) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP32 | JMP_JEQ | SRC_K -> {
                    if ((int) r[d] == imm) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP | JMP_JEQ | SRC_X -> {
                    if (r[d] == r[s]) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP32 | JMP_JEQ | SRC_X -> {
                    if ((int) r[d] == (int) r[s]) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP | JMP_JGT | SRC_K -> {
                    if (Long.compareUnsigned(r[d], imm) > 0) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP32 | JMP_JGT | SRC_K -> {
                    if (Integer.compareUnsigned((int) r[d], imm) > 0) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP | JMP_JGT | SRC_X -> {
                    if (Long.compareUnsigned(r[d], r[s]) > 0) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP32 | JMP_JGT | SRC_X -> {
                    if (Integer.compareUnsigned((int) r[d], (int) r[s]) > 0) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP | JMP_JGE | SRC_K -> {
                    if (Long.compareUnsigned(r[d], imm) >= 0) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP32 | JMP_JGE | SRC_K -> {
                    if (Integer.compareUnsigned((int) r[d], imm) >= 0) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP | JMP_JGE | SRC_X -> {
                    if (Long.compareUnsigned(r[d], r[s]) >= 0) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP32 | JMP_JGE | SRC_X -> {
                    if (Integer.compareUnsigned((int) r[d], (int) r[s]) >= 0) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP | JMP_JSET | SRC_K -> {
                    if ((r[d] & imm) != 0) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP32 | JMP_JSET | SRC_K -> {
                    if (((int) r[d] & imm) != 0) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP | JMP_JSET | SRC_X -> {
                    if ((r[d] & r[s]) != 0) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP32 | JMP_JSET | SRC_X -> {
                    if (((int) r[d] & (int) r[s]) != 0) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP | JMP_JNE | SRC_K -> {
                    if (r[d] != imm) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP32 | JMP_JNE | SRC_K -> {
                    if ((int) r[d] != imm) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP | JMP_JNE | SRC_X -> {
                    if (r[d] != r[s]) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP32 | JMP_JNE | SRC_X -> {
                    if ((int) r[d] != (int) r[s]) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP | JMP_JSGT | SRC_K -> {
                    if (r[d] > imm) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP32 | JMP_JSGT | SRC_K -> {
                    if ((int) r[d] > imm) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP | JMP_JSGT | SRC_X -> {
                    if (r[d] > r[s]) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP32 | JMP_JSGT | SRC_X -> {
                    if ((int) r[d] > (int) r[s]) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP | JMP_JSGE | SRC_K -> {
                    if (r[d] >= imm) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP32 | JMP_JSGE | SRC_K -> {
                    if ((int) r[d] >= imm) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP | JMP_JSGE | SRC_X -> {
                    if (r[d] >= r[s]) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP32 | JMP_JSGE | SRC_X -> {
                    if ((int) r[d] >= (int) r[s]) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP | JMP_JLT | SRC_K -> {
                    if (Long.compareUnsigned(r[d], imm) < 0) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP32 | JMP_JLT | SRC_K -> {
                    if (Integer.compareUnsigned((int) r[d], imm) < 0) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP | JMP_JLT | SRC_X -> {
                    if (Long.compareUnsigned(r[d], r[s]) < 0) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP32 | JMP_JLT | SRC_X -> {
                    if (Integer.compareUnsigned((int) r[d], (int) r[s]) < 0) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP | JMP_JLE | SRC_K -> {
                    if (Long.compareUnsigned(r[d], imm) <= 0) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP32 | JMP_JLE | SRC_K -> {
                    if (Integer.compareUnsigned((int) r[d], imm) <= 0) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP | JMP_JLE | SRC_X -> {
                    if (Long.compareUnsigned(r[d], r[s]) <= 0) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP32 | JMP_JLE | SRC_X -> {
                    if (Integer.compareUnsigned((int) r[d], (int) r[s]) <= 0) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP | JMP_JSLT | SRC_K -> {
                    if (r[d] < imm) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP32 | JMP_JSLT | SRC_K -> {
                    if ((int) r[d] < imm) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP | JMP_JSLT | SRC_X -> {
                    if (r[d] < r[s]) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP32 | JMP_JSLT | SRC_X -> {
                    if ((int) r[d] < (int) r[s]) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP | JMP_JSLE | SRC_K -> {
                    if (r[d] <= imm) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP32 | JMP_JSLE | SRC_K -> {
                    if ((int) r[d] <= imm) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP | JMP_JSLE | SRC_X -> {
                    if (r[d] <= r[s]) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CLS_JMP32 | JMP_JSLE | SRC_X -> {
                    if ((int) r[d] <= (int) r[s]) {
                        rem = taken(m, rem, pc, off);
                        pc += off;
                    }
                }
                case CALL -> {
                    if (s == CALL_LOCAL) {
                        if (depth + 1 >= Verifier.MAX_FRAMES) {
                            throw m.fault(BpfFault.Kind.CALL_DEPTH, pc, "more than " + Verifier.MAX_FRAMES + " frames");
                        }
                        int base = depth * 11;
                        System.arraycopy(r, 1, saved, base, 10);
                        saved[base + 10] = pc;
                        depth++;
                        r[0] = 0;
                        r[6] = r[7] = r[8] = r[9] = 0;
                        r[10] -= Verifier.FRAME_BYTES;
                        pc += imm;
                    } else {
                        r[0] = m.callHelper(imm, r[1], r[2], r[3], r[4], r[5], pc);
                    }
                }
                case CALLX -> r[0] = m.callHelper(r[d], r[1], r[2], r[3], r[4], r[5], pc);
                case EXIT -> {
                    if (depth == 0) {
                        if (rem < 0) {
                            throw m.budgetFault(rem, pc);
                        }
                        m.remaining = rem;
                        return r[0];
                    }
                    depth--;
                    int base = depth * 11;
                    System.arraycopy(saved, base, r, 1, 10);
                    pc = (int) saved[base + 10];
                }
                default -> throw new IllegalStateException("unverified opcode 0x" + Integer.toHexString(insn & 0xff) + " at " + pc);
                }
                pc++;
            }
        } catch (BpfFault fault) {
            if (fault.kind() != BpfFault.Kind.BUDGET) {
                m.remaining = rem; // the count up to the fault, as the JIT leaves it
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
