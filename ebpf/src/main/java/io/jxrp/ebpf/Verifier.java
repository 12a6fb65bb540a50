package io.jxrp.ebpf;

import static io.jxrp.ebpf.Opcodes.*;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * Load-time checks of a linked program, and the facts both execution modes share: functions, basic
 * blocks and their instruction cost (structural checks here), and for every memory access the
 * region it reaches and whether it is proven in bounds ({@link RangeAnalysis}, an abstract
 * interpretation). Memory safety never rests on those proofs alone: every access the JIT makes
 * direct is still a JVM-checked segment access that falls back to the checked path.
 */
final class Verifier {
    private Verifier() {}

    /** Bytes of stack per frame, as in the kernel. */
    static final int FRAME_BYTES = 512;
    /** Maximum frames (main + nested local calls), as in the kernel. */
    static final int MAX_FRAMES = 8;
    static final int MAX_SLOTS = 1_000_000;
    /** Straight-line runs are cut into blocks of at most this many instructions (keeps JIT chunks small). */
    static final int MAX_BLOCK_INSNS = 48;

    /** Control-flow facts of a verified program. */
    record Analysis(int[] functionStarts, int[] functionOf, int[] blockCost, int maxFrames, ProgramType type,
                    RangeAnalysis.Facts facts) {
        int functionEnd(int f, int length) {
            return f + 1 < functionStarts.length ? functionStarts[f + 1] : length;
        }
    }

    static Analysis verify(String name, long[] s, List<BpfMap> maps, ProgramType type) throws BpfLoadException {
        int n = s.length;
        if (n == 0) {
            throw new BpfLoadException(name + ": empty program");
        }
        if (n > MAX_SLOTS) {
            throw new BpfLoadException(name + ": " + n + " instructions, more than " + MAX_SLOTS);
        }
        boolean[] second = new boolean[n]; // second slot of an lddw
        TreeSet<Integer> starts = new TreeSet<>();
        starts.add(0);
        for (int pc = 0; pc < n; pc++) {
            checkInsn(name, s, pc, maps);
            int op = opcode(s[pc]);
            if (op == LDDW) {
                second[pc + 1] = true;
                pc++;
            } else if (op == CALL && src(s[pc]) == CALL_LOCAL) {
                starts.add(pc + 1 + imm(s[pc]));
            }
        }
        int[] functionStarts = starts.stream().mapToInt(Integer::intValue).toArray();
        int[] functionOf = new int[n];
        for (int f = 0, pc = 0; pc < n; pc++) {
            while (f + 1 < functionStarts.length && functionStarts[f + 1] <= pc) {
                f++;
            }
            functionOf[pc] = f;
        }
        boolean[] leader = new boolean[n];
        for (int f : functionStarts) {
            if (f >= n || second[f]) {
                throw new BpfLoadException(fail(name, s, f >= n ? n - 1 : f, "call target " + f + " is not an instruction"));
            }
            leader[f] = true;
        }
        // Jumps stay inside their function, land on an instruction, and nothing falls off a function's end.
        for (int pc = 0; pc < n; pc++) {
            if (second[pc]) {
                continue;
            }
            int op = opcode(s[pc]);
            int f = functionOf[pc];
            int end = f + 1 < functionStarts.length ? functionStarts[f + 1] : n;
            int target = jumpTarget(s[pc], pc);
            if (target != Integer.MIN_VALUE) {
                if (target < functionStarts[f] || target >= end) {
                    throw new BpfLoadException(fail(name, s, pc, "jump target " + target + " outside function ["
                            + functionStarts[f] + ", " + end + ")"));
                }
                if (second[target]) {
                    throw new BpfLoadException(fail(name, s, pc, "jump into the middle of lddw at " + (target - 1)));
                }
                leader[target] = true;
            }
            int length = op == LDDW ? 2 : 1;
            boolean terminal = op == EXIT || op == JA || op == GOTOL;
            if (!terminal && pc + length >= end) {
                throw new BpfLoadException(fail(name, s, pc, "execution falls off the end of the function"));
            }
            if ((target != Integer.MIN_VALUE || op == EXIT) && pc + length < n) {
                leader[pc + length] = true;
            }
        }
        // Every function must be able to reach an exit.
        for (int f = 0; f < functionStarts.length; f++) {
            if (!reachesExit(s, functionStarts[f])) {
                throw new BpfLoadException(fail(name, s, functionStarts[f], "no exit reachable from function at " + functionStarts[f]));
            }
        }
        int[] blockCost = blockCosts(s, leader, second);
        int maxFrames = callDepth(name, s, functionStarts, functionOf, second);
        Analysis structure = new Analysis(functionStarts, functionOf, blockCost, maxFrames, type, null);
        return new Analysis(functionStarts, functionOf, blockCost, maxFrames, type,
                RangeAnalysis.analyze(s, maps, structure, type));
    }

    /** Absolute target of a jump (not call), or MIN_VALUE if the instruction is no jump. */
    static int jumpTarget(long slot, int pc) {
        int op = opcode(slot);
        int c = cls(op);
        if (op == GOTOL) {
            return pc + 1 + imm(slot);
        }
        if ((c == CLS_JMP || c == CLS_JMP32) && op != CALL && op != CALLX && op != EXIT) {
            return pc + 1 + offset(slot);
        }
        return Integer.MIN_VALUE;
    }

    private static boolean reachesExit(long[] s, int start) {
        boolean[] reached = reachableFrom(s, start);
        for (int pc = 0; pc < s.length; pc++) {
            if (reached[pc] && opcode(s[pc]) == EXIT) {
                return true;
            }
        }
        return false;
    }

    /**
     * The instructions control reaches from {@code start} by jumps and fall-through, not following
     * calls (an lddw's second slot is never reached: jumps into it are rejected before this runs).
     */
    static boolean[] reachableFrom(long[] s, int start) {
        boolean[] seen = new boolean[s.length];
        ArrayDeque<Integer> work = new ArrayDeque<>();
        work.add(start);
        while (!work.isEmpty()) {
            int pc = work.poll();
            if (pc < 0 || pc >= s.length || seen[pc]) {
                continue;
            }
            seen[pc] = true;
            int op = opcode(s[pc]);
            int target = jumpTarget(s[pc], pc);
            if (target != Integer.MIN_VALUE) {
                work.add(target);
            }
            if (op != EXIT && op != JA && op != GOTOL) {
                work.add(pc + (op == LDDW ? 2 : 1));
            }
        }
        return seen;
    }

    private static int[] blockCosts(long[] s, boolean[] leader, boolean[] second) {
        int n = s.length;
        int[] cost = new int[n];
        int current = -1;
        for (int pc = 0; pc < n; pc++) {
            if (second[pc]) {
                continue;
            }
            if (leader[pc] || current < 0 || cost[current] >= MAX_BLOCK_INSNS) {
                leader[pc] = true;
                current = pc;
            }
            cost[current]++;
        }
        return cost;
    }

    private static int callDepth(String name, long[] s, int[] starts, int[] functionOf, boolean[] second)
            throws BpfLoadException {
        int nf = starts.length;
        int[][] callees = new int[nf][];
        int[] counts = new int[nf];
        int[] callSite = new int[nf];
        for (int f = 0; f < nf; f++) {
            callees[f] = new int[4];
        }
        for (int pc = 0; pc < s.length; pc++) {
            if (!second[pc] && opcode(s[pc]) == CALL && src(s[pc]) == CALL_LOCAL) {
                int f = functionOf[pc];
                int callee = Arrays.binarySearch(starts, pc + 1 + imm(s[pc]));
                if (counts[f] == callees[f].length) {
                    callees[f] = Arrays.copyOf(callees[f], counts[f] * 2);
                }
                callees[f][counts[f]++] = callee;
                callSite[callee] = pc;
            }
        }
        int[] depth = new int[nf]; // 0 unknown, -1 in progress
        return depthOf(name, s, 0, callees, counts, depth, callSite, 1);
    }

    private static int depthOf(String name, long[] s, int f, int[][] callees, int[] counts, int[] depth,
                               int[] callSite, int level) throws BpfLoadException {
        if (depth[f] == -1) {
            throw new BpfLoadException(fail(name, s, callSite[f], "recursive call (call graph has a cycle)"));
        }
        if (level > MAX_FRAMES) {
            throw new BpfLoadException(fail(name, s, callSite[f], "call depth exceeds " + MAX_FRAMES + " frames"));
        }
        if (depth[f] > 0) {
            if (level + depth[f] - 1 > MAX_FRAMES) {
                throw new BpfLoadException(fail(name, s, callSite[f], "call depth exceeds " + MAX_FRAMES + " frames"));
            }
            return depth[f];
        }
        depth[f] = -1;
        int d = 1;
        for (int i = 0; i < counts[f]; i++) {
            d = Math.max(d, 1 + depthOf(name, s, callees[f][i], callees, counts, depth, callSite, level + 1));
        }
        depth[f] = d;
        return d;
    }

    static String fail(String name, long[] s, int pc, String reason) {
        return name + ": pc " + pc + " (" + Disassembler.disassemble(s, pc) + "): " + reason;
    }

    private static void checkInsn(String name, long[] s, int pc, List<BpfMap> maps) throws BpfLoadException {
        long slot = s[pc];
        int op = opcode(slot), dst = dst(slot), src = src(slot), off = offset(slot), imm = imm(slot);
        String problem = null;
        if (dst > 10 || src > 10) {
            problem = "register number out of range (r" + Math.max(dst, src) + ")";
        } else {
            problem = switch (cls(op)) {
                case CLS_ALU, CLS_ALU64 -> checkAlu(op, dst, src, off, imm);
                case CLS_JMP, CLS_JMP32 -> checkJmp(op, dst, src, off, imm);
                case CLS_LD -> checkLddw(s, pc, maps);
                case CLS_LDX -> checkLdx(op, dst, src, off, imm);
                case CLS_ST -> checkSt(op, dst, src, off);
                default -> checkStx(op, dst, src, off, imm);
            };
        }
        if (problem != null) {
            throw new BpfLoadException(fail(name, s, pc, problem));
        }
    }

    private static String checkAlu(int op, int dst, int src, int off, int imm) {
        boolean x = isReg(op);
        boolean w64 = cls(op) == CLS_ALU64;
        if (dst == 10) {
            return "r10 is read-only";
        }
        switch (aluOp(op)) {
            case ALU_ADD, ALU_SUB, ALU_MUL, ALU_OR, ALU_AND, ALU_LSH, ALU_RSH, ALU_XOR, ALU_ARSH -> {
                if (off != 0) {
                    return "reserved offset field is " + off;
                }
            }
            case ALU_DIV, ALU_MOD -> {
                if (off != 0 && off != 1) {
                    return "div/mod offset must be 0 (unsigned) or 1 (signed), is " + off;
                }
            }
            case ALU_NEG -> {
                if (x || src != 0 || off != 0 || imm != 0) {
                    return "neg takes no operand";
                }
                return null;
            }
            case ALU_MOV -> {
                if (!x && off != 0) {
                    return "reserved offset field is " + off;
                }
                if (x && off != 0 && off != 8 && off != 16 && !(w64 && off == 32)) {
                    return "invalid movsx width " + off;
                }
            }
            case ALU_END -> {
                if (w64 && x) {
                    return "invalid opcode 0x" + Integer.toHexString(op);
                }
                if (src != 0 || off != 0 || (imm != 16 && imm != 32 && imm != 64)) {
                    return "endian conversion needs width 16, 32 or 64 and zero reserved fields";
                }
                return null;
            }
            default -> {
                return "invalid opcode 0x" + Integer.toHexString(op);
            }
        }
        if (x && imm != 0) {
            return "reserved imm field is " + imm;
        }
        if (!x && src != 0) {
            return "reserved src field is r" + src;
        }
        return null;
    }

    private static String checkJmp(int op, int dst, int src, int off, int imm) {
        boolean j32 = cls(op) == CLS_JMP32;
        int kind = aluOp(op);
        if (kind == JMP_JA) {
            if (isReg(op) || dst != 0 || src != 0) {
                return "reserved fields of goto must be zero";
            }
            if (j32 ? off != 0 : imm != 0) {
                return j32 ? "gotol uses imm; offset must be zero" : "goto uses offset; imm must be zero";
            }
            return null;
        }
        if (kind == JMP_CALL) {
            if (j32) {
                return "invalid opcode 0x" + Integer.toHexString(op);
            }
            if (isReg(op)) {
                return off != 0 || imm != 0 || src != 0 ? "callx reserved fields must be zero" : null;
            }
            if (dst != 0 || off != 0) {
                return "call reserved fields must be zero";
            }
            if (src == CALL_HELPER) {
                return Helpers.name(imm) == null ? "unknown helper id " + imm : null;
            }
            return src == CALL_LOCAL ? null : "unsupported call kind src=" + src + " (BTF/kfunc calls are not supported)";
        }
        if (kind == JMP_EXIT) {
            if (j32 || isReg(op) || dst != 0 || src != 0 || off != 0 || imm != 0) {
                return j32 || isReg(op) ? "invalid opcode 0x" + Integer.toHexString(op) : "exit reserved fields must be zero";
            }
            return null;
        }
        if (kind > JMP_JSLE) {
            return "invalid opcode 0x" + Integer.toHexString(op);
        }
        if (isReg(op) && imm != 0) {
            return "reserved imm field is " + imm;
        }
        if (!isReg(op) && src != 0) {
            return "reserved src field is r" + src;
        }
        return null;
    }

    private static String checkLddw(long[] s, int pc, List<BpfMap> maps) {
        long slot = s[pc];
        int op = opcode(slot);
        if (op != LDDW) {
            return "invalid opcode 0x" + Integer.toHexString(op) + " (legacy packet loads are not supported)";
        }
        if (pc + 1 >= s.length) {
            return "lddw is missing its second slot";
        }
        long next = s[pc + 1];
        if ((next & 0xffffffffL) != 0) {
            return "lddw second slot must have zero opcode, registers and offset";
        }
        if (dst(slot) == 10) {
            return "r10 is read-only";
        }
        if (offset(slot) != 0) {
            return "reserved offset field is " + offset(slot);
        }
        int src = src(slot);
        int imm = imm(slot);
        return switch (src) {
            case PSEUDO_NONE -> null;
            case PSEUDO_MAP_FD -> imm < 0 || imm >= maps.size() ? "map index " + imm + " out of range (" + maps.size() + " maps)"
                    : imm(next) != 0 ? "map reference must have zero upper imm" : null;
            case PSEUDO_MAP_VALUE -> {
                if (imm < 0 || imm >= maps.size()) {
                    yield "map index " + imm + " out of range (" + maps.size() + " maps)";
                }
                BpfMap m = maps.get(imm);
                if (m.type() != MapType.ARRAY) {
                    yield "direct value access needs an array map, " + m.name() + " is " + m.type();
                }
                long limit = (long) m.valueSize() * m.maxEntries();
                long offset = Integer.toUnsignedLong(imm(next));
                yield offset >= limit ? "map value offset " + offset + " outside " + m.name() + " (" + limit + " B)" : null;
            }
            default -> "unsupported lddw pseudo source " + src;
        };
    }

    private static String checkLdx(int op, int dst, int src, int off, int imm) {
        int mode = mode(op);
        if (mode != MODE_MEM && !(mode == MODE_MEMSX && size(op) != SIZE_DW)) {
            return "invalid opcode 0x" + Integer.toHexString(op);
        }
        if (dst == 10) {
            return "r10 is read-only";
        }
        if (imm != 0) {
            return "reserved imm field is " + imm;
        }
        return src == 10 ? checkStack(off, widthBytes(op)) : null;
    }

    private static String checkSt(int op, int dst, int src, int off) {
        if (mode(op) != MODE_MEM) {
            return "invalid opcode 0x" + Integer.toHexString(op);
        }
        if (src != 0) {
            return "reserved src field is r" + src;
        }
        return dst == 10 ? checkStack(off, widthBytes(op)) : null;
    }

    private static String checkStx(int op, int dst, int src, int off, int imm) {
        int mode = mode(op);
        if (mode == MODE_MEM) {
            if (imm != 0) {
                return "reserved imm field is " + imm;
            }
        } else if (mode == MODE_ATOMIC && (size(op) == SIZE_W || size(op) == SIZE_DW)) {
            switch (imm) {
                case ATOMIC_ADD, ATOMIC_OR, ATOMIC_AND, ATOMIC_XOR -> { }
                case ATOMIC_ADD | ATOMIC_FETCH, ATOMIC_OR | ATOMIC_FETCH, ATOMIC_AND | ATOMIC_FETCH,
                     ATOMIC_XOR | ATOMIC_FETCH, ATOMIC_XCHG -> {
                    if (src == 10) {
                        return "r10 is read-only";
                    }
                }
                case ATOMIC_CMPXCHG -> { }
                default -> {
                    return "invalid atomic operation 0x" + Integer.toHexString(imm);
                }
            }
        } else {
            return "invalid opcode 0x" + Integer.toHexString(op);
        }
        return dst == 10 ? checkStack(off, widthBytes(op)) : null;
    }

    private static String checkStack(int off, int width) {
        return off < -FRAME_BYTES || off + width > 0
                ? "stack access at r10" + (off < 0 ? " - " + -(long) off : " + " + off) + " (" + width + " B) outside the " + FRAME_BYTES + " B frame" : null;
    }
}
