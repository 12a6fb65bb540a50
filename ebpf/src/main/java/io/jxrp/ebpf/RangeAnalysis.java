package io.jxrp.ebpf;

import static io.jxrp.ebpf.Opcodes.*;

import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The verifier's abstract interpretation, in the kernel's manner: for every register (and every
 * 8-byte stack slot a register was spilled to) a pointer type — the region it points into (context,
 * data, scratch, stack, a map's values, global data) with a range of offsets — or a scalar with
 * signed and unsigned bounds, carried through ALU operations, narrowed by branch conditions, and
 * joined where paths meet; a loop head joins its back edges and, after {@link #WIDEN_AFTER} visits,
 * widens whatever still grows to the extremes, so every loop ends the analysis.
 *
 * <p>The result names, for every load and store, the region it reaches and whether its offsets are
 * proven inside that region: {@link #PROVEN} and {@link #TYPED} accesses become plain
 * {@code MemorySegment} accesses of that region in the JIT (whose bounds check sends a typed access
 * outside it to the checked path) and one compare against the region's size in the interpreter, the
 * rest the full region lookup. Which region a context field or a reloaded spill points into, and the sizes of the
 * host-bound regions, follow the calling convention of the {@link ProgramType}; they are used for
 * speed only: every fast path the JIT emits falls back to the checked access when the address turns
 * out to lie elsewhere (the JVM checks every segment access), so a host that breaks the convention
 * gets the same results and faults, more slowly. The one fact that must hold unconditionally — which
 * stack bytes a fast path may touch, so that the machine zeroes only those before a run — is derived
 * from r10 plus constants alone.
 */
final class RangeAnalysis {
    private RangeAnalysis() {}

    /** Access classes. */
    static final byte UNVISITED = -1, CHECKED = 0, TYPED = 1, PROVEN = 2;
    /** Visits of a block entry before growing bounds are widened. */
    static final int WIDEN_AFTER = 64;
    /** Instruction transfers the analysis may spend per program before it gives up (all accesses checked). */
    static final long WORK_PER_SLOT = 400, MIN_WORK = 2_000_000;

    /**
     * What the JIT and the interpreter use.
     *
     * @param accessClass per pc: {@link #CHECKED}, {@link #TYPED} or {@link #PROVEN} (loads, stores, atomics)
     * @param accessRegion per pc: the region id the access reaches (see {@link Addresses}), 0 for checked
     * @param stackZeroFrom the lowest stack-region offset a fast path can touch: the machine zeroes the
     *        stack from there up before a run, and the rest only if a checked access goes below it
     * @param baseLo per pc of a {@link #PROVEN} access outside the stack: the lowest offset into its
     *        region the base register held on any path (the access's own offset not added)
     * @param baseHi per pc, likewise the highest
     * @param regionBytes per region id: the size the proofs of loads assume (0 where none is assumed)
     */
    record Facts(byte[] accessClass, int[] accessRegion, int stackZeroFrom, boolean complete, long[] baseLo,
            long[] baseHi, long[] regionBytes) {
        int count(byte kind) {
            int c = 0;
            for (byte b : accessClass) {
                c += b == kind ? 1 : 0;
            }
            return c;
        }
    }

    // ---- abstract values ----

    static final byte SCALAR = 0, PTR = 1, MAP_HANDLE = 2, MAP_OR_NULL = 3;
    private static final long U32_MAX = 0xffffffffL;

    /**
     * A register's abstract value. Scalars: signed [smin, smax] and unsigned [umin, umax] bounds.
     * Pointers: {@code region} and offsets [smin, smax] from the region base (stack: from the frame's
     * r10); {@code sound} when derived from r10 by constants only (not from memory or host input).
     * Map handles and lookup results: {@code region} is the map index.
     */
    record Val(byte kind, int region, long smin, long smax, long umin, long umax, boolean sound) {
        static final Val UNKNOWN = new Val(SCALAR, 0, Long.MIN_VALUE, Long.MAX_VALUE, 0, -1L, false);
        static final Val U32 = new Val(SCALAR, 0, 0, U32_MAX, 0, U32_MAX, false);

        static Val constant(long c) {
            return new Val(SCALAR, 0, c, c, c, c, false);
        }

        static Val ptr(int region, long lo, long hi, boolean sound) {
            return new Val(PTR, region, lo, hi, 0, 0, sound);
        }

        /** A normalized scalar, or null when the bounds contradict each other (an infeasible path). */
        static Val scalar(long smin, long smax, long umin, long umax) {
            for (int round = 0; round < 2; round++) {
                if (smin > smax || Long.compareUnsigned(umin, umax) > 0) {
                    return null;
                }
                if (smin >= 0 || smax < 0) { // the signed range does not cross the sign: same order unsigned
                    umin = maxU(umin, smin);
                    umax = minU(umax, smax);
                }
                if (umax >= 0 || umin < 0) { // the unsigned range does not cross 2^63: same order signed
                    smin = Math.max(smin, umin);
                    smax = Math.min(smax, umax);
                }
            }
            if (smin > smax || Long.compareUnsigned(umin, umax) > 0) {
                return null;
            }
            return new Val(SCALAR, 0, smin, smax, umin, umax, false);
        }

        boolean isConstant() {
            return kind == SCALAR && smin == smax;
        }

        boolean scalar() {
            return kind == SCALAR;
        }
    }

    static long maxU(long a, long b) {
        return Long.compareUnsigned(a, b) >= 0 ? a : b;
    }

    static long minU(long a, long b) {
        return Long.compareUnsigned(a, b) <= 0 ? a : b;
    }

    static Val join(Val a, Val b) {
        if (a == null) {
            return b;
        }
        if (b == null || a.equals(b)) {
            return a;
        }
        if (a.kind != b.kind || a.region != b.region) {
            return Val.UNKNOWN;
        }
        return switch (a.kind) {
            case SCALAR -> Val.scalar(Math.min(a.smin, b.smin), Math.max(a.smax, b.smax), minU(a.umin, b.umin), maxU(a.umax, b.umax));
            case PTR -> Val.ptr(a.region, Math.min(a.smin, b.smin), Math.max(a.smax, b.smax), a.sound && b.sound);
            default -> a;
        };
    }

    /** {@code next} (a join with {@code old}) with every bound that moved pushed to its extreme. */
    static Val widen(Val old, Val next) {
        if (old == null || next.equals(old) || next.kind != old.kind || next.region != old.region) {
            return next;
        }
        long smin = next.smin < old.smin ? Long.MIN_VALUE : next.smin;
        long smax = next.smax > old.smax ? Long.MAX_VALUE : next.smax;
        if (next.kind == PTR) {
            return Val.ptr(next.region, smin, smax, next.sound);
        }
        if (next.kind != SCALAR) {
            return next;
        }
        long umin = Long.compareUnsigned(next.umin, old.umin) < 0 ? 0 : next.umin;
        long umax = Long.compareUnsigned(next.umax, old.umax) > 0 ? -1L : next.umax;
        Val v = Val.scalar(smin, smax, umin, umax);
        return v == null ? Val.UNKNOWN : v;
    }

    // ---- scalar arithmetic (sound bounds; unknown where an operation could wrap) ----

    static Val add(Val a, Val b) {
        long smin, smax;
        try {
            smin = Math.addExact(a.smin, b.smin);
            smax = Math.addExact(a.smax, b.smax);
        } catch (ArithmeticException e) {
            smin = Long.MIN_VALUE;
            smax = Long.MAX_VALUE;
        }
        long umin = a.umin + b.umin, umax = a.umax + b.umax;
        if (Long.compareUnsigned(umax, a.umax) < 0 || Long.compareUnsigned(umin, a.umin) < 0
                || Long.compareUnsigned(umin, umax) > 0) {
            umin = 0;
            umax = -1L;
        }
        return orUnknown(Val.scalar(smin, smax, umin, umax));
    }

    static Val sub(Val a, Val b) {
        long smin, smax;
        try {
            smin = Math.subtractExact(a.smin, b.smax);
            smax = Math.subtractExact(a.smax, b.smin);
        } catch (ArithmeticException e) {
            smin = Long.MIN_VALUE;
            smax = Long.MAX_VALUE;
        }
        long umin = 0, umax = -1L;
        if (Long.compareUnsigned(a.umin, b.umax) >= 0) {
            umin = a.umin - b.umax;
            umax = a.umax - b.umin;
        }
        return orUnknown(Val.scalar(smin, smax, umin, umax));
    }

    private static Val orUnknown(Val v) {
        return v == null ? Val.UNKNOWN : v;
    }

    private static Val unsigned(long umin, long umax) {
        return orUnknown(Val.scalar(Long.MIN_VALUE, Long.MAX_VALUE, umin, umax));
    }

    /** Bits needed to hold every value up to {@code max} (unsigned), as a mask. */
    private static long mask(long max) {
        return max == 0 ? 0 : -1L >>> Long.numberOfLeadingZeros(max);
    }

    static Val alu(int kind, Val a, Val b, int off) {
        if (a.isConstant() && b.isConstant()) {
            Long c = constantFold(kind, a.smin, b.smin, off);
            if (c != null) {
                return Val.constant(c);
            }
        }
        return switch (kind) {
            case ALU_ADD -> add(a, b);
            case ALU_SUB -> sub(a, b);
            case ALU_MUL -> {
                if (a.umax >= 0 && b.umax >= 0 && a.umax <= U32_MAX && b.umax <= U32_MAX) {
                    yield unsigned(a.umin * b.umin, a.umax * b.umax);
                }
                yield Val.UNKNOWN;
            }
            case ALU_DIV -> {
                if (off != 0) {
                    yield Val.UNKNOWN;
                }
                if (b.isConstant() && b.umin != 0) {
                    yield unsigned(Long.divideUnsigned(a.umin, b.umin), Long.divideUnsigned(a.umax, b.umin));
                }
                yield unsigned(0, a.umax);
            }
            case ALU_MOD -> {
                if (off != 0) {
                    yield Val.UNKNOWN;
                }
                if (b.isConstant() && b.umin != 0) {
                    yield unsigned(0, minU(a.umax, b.umin - 1));
                }
                yield unsigned(0, maxU(a.umax, b.umax)); // a % 0 = a
            }
            case ALU_AND -> unsigned(0, minU(a.umax, b.umax));
            case ALU_OR, ALU_XOR -> {
                long hi = maxU(a.umax, b.umax);
                yield hi < 0 ? Val.UNKNOWN : unsigned(kind == ALU_OR ? maxU(a.umin, b.umin) : 0, mask(hi));
            }
            case ALU_LSH -> {
                if (!b.isConstant()) {
                    yield Val.UNKNOWN;
                }
                int k = (int) (b.smin & 63);
                if (Long.compareUnsigned(a.umax, -1L >>> k) <= 0) {
                    yield unsigned(a.umin << k, a.umax << k);
                }
                yield Val.UNKNOWN;
            }
            case ALU_RSH -> {
                if (!b.isConstant()) {
                    yield unsigned(0, a.umax);
                }
                int k = (int) (b.smin & 63);
                yield unsigned(a.umin >>> k, a.umax >>> k);
            }
            case ALU_ARSH -> {
                if (!b.isConstant()) {
                    yield orUnknown(Val.scalar(Math.min(a.smin, 0), Math.max(a.smax, 0), 0, -1L));
                }
                int k = (int) (b.smin & 63);
                yield orUnknown(Val.scalar(a.smin >> k, a.smax >> k, 0, -1L));
            }
            default -> Val.UNKNOWN;
        };
    }

    private static Long constantFold(int kind, long a, long b, int off) {
        return switch (kind) {
            case ALU_ADD -> a + b;
            case ALU_SUB -> a - b;
            case ALU_MUL -> a * b;
            case ALU_DIV -> Interpreter.div64(a, b, off);
            case ALU_MOD -> Interpreter.mod64(a, b, off);
            case ALU_OR -> a | b;
            case ALU_AND -> a & b;
            case ALU_XOR -> a ^ b;
            case ALU_LSH -> a << b;
            case ALU_RSH -> a >>> b;
            case ALU_ARSH -> a >> b;
            default -> null;
        };
    }

    /** The low 32 bits of {@code v}, zero-extended, as bounds. */
    static Val low32(Val v) {
        if (v.kind != SCALAR) {
            return Val.U32;
        }
        if (v.umax >= 0 && v.umax <= U32_MAX) {
            return v;
        }
        if ((v.umin >>> 32) == (v.umax >>> 32)) {
            return unsigned(v.umin & U32_MAX, v.umax & U32_MAX);
        }
        return Val.U32;
    }

    static Val alu32(int kind, Val a, Val b, int off) {
        Val x = low32(a), y = low32(b);
        if (x.isConstant() && y.isConstant()) {
            long r = switch (kind) {
                case ALU_DIV -> Interpreter.div32((int) x.smin, (int) y.smin, off);
                case ALU_MOD -> Interpreter.mod32((int) x.smin, (int) y.smin, off);
                case ALU_ARSH -> Interpreter.u32((int) x.smin >> (int) y.smin);
                case ALU_LSH -> Interpreter.u32((int) x.smin << (int) y.smin);
                case ALU_RSH -> Interpreter.u32((int) x.smin >>> (int) y.smin);
                default -> {
                    Long c = constantFold(kind, x.smin, y.smin, off);
                    yield c == null ? -1 : c & U32_MAX;
                }
            };
            if (r >= 0) {
                return Val.constant(r);
            }
        }
        if (kind == ALU_ARSH) {
            if (x.umax > Integer.MAX_VALUE) {
                return Val.U32;
            }
            kind = ALU_RSH;
        }
        if ((kind == ALU_DIV || kind == ALU_MOD) && off != 0) {
            return Val.U32;
        }
        if (kind == ALU_LSH || kind == ALU_RSH) {
            y = y.isConstant() ? Val.constant(y.smin & 31) : y;
        }
        return low32(alu(kind, x, y, 0));
    }

    // ---- branch refinement ----

    /** Bounds of {@code a} and {@code b} where {@code a <kind> b} holds (64-bit), or null if it cannot. */
    static Val[] assume(int kind, Val a, Val b) {
        return switch (kind) {
            case JMP_JEQ -> {
                Val both = Val.scalar(Math.max(a.smin, b.smin), Math.min(a.smax, b.smax), maxU(a.umin, b.umin), minU(a.umax, b.umax));
                yield both == null ? null : new Val[] {both, both};
            }
            case JMP_JNE -> {
                Val x = a, y = b;
                if (b.isConstant()) {
                    x = exclude(a, b.smin);
                }
                if (a.isConstant()) {
                    y = exclude(b, a.smin);
                }
                yield x == null || y == null ? null : new Val[] {x, y};
            }
            case JMP_JGT -> b.umin == -1L || a.umax == 0 ? null
                    : pair(Val.scalar(a.smin, a.smax, maxU(a.umin, b.umin + 1), a.umax), Val.scalar(b.smin, b.smax, b.umin, minU(b.umax, a.umax - 1)));
            case JMP_JGE -> pair(Val.scalar(a.smin, a.smax, maxU(a.umin, b.umin), a.umax), Val.scalar(b.smin, b.smax, b.umin, minU(b.umax, a.umax)));
            case JMP_JLT -> swap(assume(JMP_JGT, b, a));
            case JMP_JLE -> swap(assume(JMP_JGE, b, a));
            case JMP_JSGT -> b.smin == Long.MAX_VALUE || a.smax == Long.MIN_VALUE ? null
                    : pair(Val.scalar(Math.max(a.smin, b.smin + 1), a.smax, a.umin, a.umax), Val.scalar(b.smin, Math.min(b.smax, a.smax - 1), b.umin, b.umax));
            case JMP_JSGE -> pair(Val.scalar(Math.max(a.smin, b.smin), a.smax, a.umin, a.umax), Val.scalar(b.smin, Math.min(b.smax, a.smax), b.umin, b.umax));
            case JMP_JSLT -> swap(assume(JMP_JSGT, b, a));
            case JMP_JSLE -> swap(assume(JMP_JSGE, b, a));
            default -> new Val[] {a, b}; // JSET: no refinement
        };
    }

    /** The condition that holds when a conditional jump is not taken. */
    static int negate(int kind) {
        return switch (kind) {
            case JMP_JEQ -> JMP_JNE;
            case JMP_JNE -> JMP_JEQ;
            case JMP_JGT -> JMP_JLE;
            case JMP_JGE -> JMP_JLT;
            case JMP_JLT -> JMP_JGE;
            case JMP_JLE -> JMP_JGT;
            case JMP_JSGT -> JMP_JSLE;
            case JMP_JSGE -> JMP_JSLT;
            case JMP_JSLT -> JMP_JSGE;
            case JMP_JSLE -> JMP_JSGT;
            default -> -1; // JSET not taken: no refinement
        };
    }

    private static Val exclude(Val v, long c) {
        long smin = v.smin, smax = v.smax, umin = v.umin, umax = v.umax;
        if (smin == c && smin < smax) {
            smin++;
        } else if (smax == c && smin < smax) {
            smax--;
        } else if (smin == c) {
            return null;
        }
        if (umin == c && umin != umax) {
            umin++;
        } else if (umax == c && umin != umax) {
            umax--;
        }
        return Val.scalar(smin, smax, umin, umax);
    }

    private static Val[] pair(Val a, Val b) {
        return a == null || b == null ? null : new Val[] {a, b};
    }

    private static Val[] swap(Val[] p) {
        return p == null ? null : new Val[] {p[1], p[0]};
    }

    // ---- the analysis ----

    /** Registers and spilled stack slots (8-byte, frame-relative: slot i holds r10 - 512 + 8i). */
    private static final class State {
        final Val[] regs;
        final Val[] slots;

        State(Val[] regs, Val[] slots) {
            this.regs = regs;
            this.slots = slots;
        }

        State copy() {
            return new State(regs.clone(), slots.clone());
        }

        boolean sameAs(State o) {
            return Arrays.equals(regs, o.regs) && Arrays.equals(slots, o.slots);
        }
    }

    private static final int SLOTS = Verifier.FRAME_BYTES / 8;

    /** Distinct states a block keeps apart (paths explored separately, as the kernel does) before joining them. */
    static final int PATHS = 512;
    /** Work the path-sensitive pass may spend before the analysis starts over with joins only. */
    static final long PATH_WORK_PER_SLOT = 64, PATH_MIN_WORK = 20_000;

    static Facts analyze(long[] s, List<BpfMap> maps, Verifier.Analysis cfg, ProgramType type) {
        // Path-sensitive first (precise through counted loops); if that is too much work, joins only.
        for (int paths : new int[] {PATHS, 1}) {
            Run run = new Run(s, maps, cfg, type, paths);
            try {
                run.all();
                return run.facts(true);
            } catch (WorkExhausted e) {
                if (paths == 1) {
                    return run.facts(false);
                }
            }
        }
        throw new AssertionError("unreachable");
    }

    private static final class WorkExhausted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        WorkExhausted() {
            super(null, null, false, false);
        }
    }

    private static final class Run {
        final long[] s;
        final List<BpfMap> maps;
        final Verifier.Analysis cfg;
        final ProgramType type;
        final int n;
        final byte[] cls;
        final int[] region;
        /** Per pc: the base register's offsets into the accessed region, joined over every visit. */
        final long[] baseLo, baseHi;
        /** Per function: the deepest (most negative) frame offset a proven r10-based access touches. */
        final int[] stackLow;
        long work;
        final long workLimit;
        /** Per function: the join of every call site's r1..r5, or null when not called yet. */
        final Val[][] calleeArgs;
        final int paths;
        /** Per block entry: the distinct states that reached it, or (once there were too many) their join. */
        List<State>[] in;
        boolean[] joined;
        List<State>[] pending;
        int[] visits;
        int[] liveIn;

        Run(long[] s, List<BpfMap> maps, Verifier.Analysis cfg, ProgramType type, int paths) {
            this.paths = paths;
            this.s = s;
            this.maps = maps;
            this.cfg = cfg;
            this.type = type;
            this.n = s.length;
            this.cls = new byte[n];
            this.region = new int[n];
            this.baseLo = new long[n];
            this.baseHi = new long[n];
            this.workLimit = paths > 1 ? Math.max(PATH_MIN_WORK, PATH_WORK_PER_SLOT * n) : Math.max(MIN_WORK, WORK_PER_SLOT * n);
            this.calleeArgs = new Val[cfg.functionStarts().length][];
            this.stackLow = new int[cfg.functionStarts().length];
        }

        void all() {
            int nf = cfg.functionStarts().length;
            // Callers come before callees in no fixed order: repeat until the callees' entry states settle
            // (the call graph is acyclic and at most MAX_FRAMES deep).
            for (int round = 0; round <= Verifier.MAX_FRAMES; round++) {
                Val[][] before = new Val[nf][];
                for (int f = 0; f < nf; f++) {
                    before[f] = calleeArgs[f] == null ? null : calleeArgs[f].clone();
                }
                Arrays.fill(cls, UNVISITED);
                Arrays.fill(region, 0);
                Arrays.fill(stackLow, 0);
                for (int f = 0; f < nf; f++) {
                    function(f);
                }
                boolean settled = true;
                for (int f = 0; f < nf; f++) {
                    settled &= Arrays.equals(before[f], calleeArgs[f]);
                }
                if (settled) {
                    return;
                }
            }
        }

        Facts facts(boolean complete) {
            byte[] c = new byte[n];
            int[] r = new int[n];
            int zeroFrom = Addresses.STACK_BYTES - cfg.maxFrames() * Verifier.FRAME_BYTES;
            if (complete) {
                for (int pc = 0; pc < n; pc++) {
                    c[pc] = cls[pc] == UNVISITED ? CHECKED : cls[pc];
                    r[pc] = c[pc] == CHECKED ? 0 : region[pc];
                }
                // A function runs at most maxDepth frames below the main one: its proven bytes lie there.
                int[] depth = maxDepths();
                int low = Addresses.STACK_BYTES;
                for (int f = 0; f < depth.length; f++) {
                    if (depth[f] >= 0 && stackLow[f] < 0) { // a function without proven stack bytes needs none
                        low = Math.min(low, Addresses.STACK_BYTES - depth[f] * Verifier.FRAME_BYTES + stackLow[f]);
                    }
                }
                zeroFrom = Math.max(zeroFrom, low);
            } else {
                // Unanalysed: only the r10-relative accesses the structural check bounded are direct.
                for (int pc = 0; pc < n; pc++) {
                    int op = opcode(s[pc]);
                    int base = cls(op) == CLS_LDX ? src(s[pc]) : dst(s[pc]);
                    boolean memory = cls(op) == CLS_LDX || cls(op) == CLS_ST || (cls(op) == CLS_STX && mode(op) == MODE_MEM);
                    if (memory && base == 10 && (pc == 0 || opcode(s[pc - 1]) != LDDW)) {
                        c[pc] = PROVEN;
                        r[pc] = Addresses.STACK_ID;
                    }
                }
            }
            long[] bytes = new long[Addresses.FIRST_MAP_ID + maps.size()];
            for (int id = Region.CONTEXT.id; id < bytes.length; id++) {
                bytes[id] = id == Addresses.STACK_ID ? 0 : Math.max(0, assumedSize(id, false));
            }
            return new Facts(c, r, zeroFrom, complete, complete ? baseLo : new long[n], complete ? baseHi : new long[n], bytes);
        }

        /** Per function: the deepest frame it can run in (0 for the main function), -1 when unreachable. */
        private int[] maxDepths() {
            int[] starts = cfg.functionStarts();
            int[] depth = new int[starts.length];
            Arrays.fill(depth, -1);
            depth[0] = 0;
            // The call graph is acyclic (the verifier refuses recursion): relax until nothing deepens.
            for (boolean changed = true; changed; ) {
                changed = false;
                for (int pc = 0; pc < n; pc++) {
                    int op = opcode(s[pc]);
                    if (op == CALL && src(s[pc]) == CALL_LOCAL && depth[cfg.functionOf()[pc]] >= 0) {
                        int callee = Arrays.binarySearch(starts, pc + 1 + imm(s[pc]));
                        int d = depth[cfg.functionOf()[pc]] + 1;
                        if (callee >= 0 && d > depth[callee]) {
                            depth[callee] = d;
                            changed = true;
                        }
                    }
                    if (op == LDDW) {
                        pc++;
                    }
                }
            }
            return depth;
        }

        private State entryState(int f) {
            Val[] regs = new Val[11];
            Arrays.fill(regs, Val.constant(0));
            if (f == 0) {
                regs[1] = type == ProgramType.XRP ? Val.ptr(Region.CONTEXT.id, 0, 0, false) : Val.UNKNOWN;
                regs[2] = Val.UNKNOWN;
            } else {
                Val[] args = calleeArgs[f];
                for (int r = 1; r <= 5; r++) {
                    regs[r] = args == null ? Val.UNKNOWN : args[r];
                }
            }
            regs[10] = Val.ptr(Addresses.STACK_ID, 0, 0, true);
            return new State(regs, new Val[SLOTS]);
        }

        @SuppressWarnings({"unchecked", "rawtypes"}) // arrays of lists, one per block
        private void function(int f) {
            int start = cfg.functionStarts()[f];
            int end = cfg.functionEnd(f, n);
            in = new List[n];
            pending = new List[n];
            joined = new boolean[n];
            visits = new int[n];
            liveIn = liveness(start, end);
            PriorityQueue<Integer> work = new PriorityQueue<>();
            boolean[] queued = new boolean[n];
            flow(start, entryState(f), work, queued);
            int[] cost = cfg.blockCost();
            while (!work.isEmpty()) {
                int leader = work.poll();
                queued[leader] = false;
                List<State> states = pending[leader];
                pending[leader] = new java.util.ArrayList<>();
                for (State entry : states) {
                    State st = entry.copy();
                    int pc = leader;
                    while (true) {
                        if (++this.work > workLimit) {
                            throw new WorkExhausted();
                        }
                        long insn = s[pc];
                        int op = opcode(insn);
                        int next = pc + (op == LDDW ? 2 : 1);
                        if (cls(op) == CLS_JMP || cls(op) == CLS_JMP32) {
                            if (op == EXIT) {
                                break;
                            }
                            if (op == JA || op == GOTOL) {
                                flow(Verifier.jumpTarget(insn, pc), st, work, queued);
                                break;
                            }
                            if (op == CALL || op == CALLX) {
                                call(f, pc, insn, st);
                            } else {
                                branch(pc, insn, st, next, work, queued);
                                break;
                            }
                        } else {
                            step(f, pc, insn, st);
                        }
                        pc = next;
                        if (pc >= end) {
                            break;
                        }
                        if (cost[pc] != 0) {
                            flow(pc, st, work, queued);
                            break;
                        }
                    }
                }
            }
        }

        private void flow(int target, State incoming, PriorityQueue<Integer> work, boolean[] queued) {
            // Registers no path reads before writing are forgotten: states that differ only there are one.
            State st = incoming.copy();
            int live = liveIn[target];
            for (int r = 0; r < 10; r++) {
                if ((live & (1 << r)) == 0) {
                    st.regs[r] = Val.UNKNOWN;
                }
            }
            List<State> list = in[target];
            if (list == null) {
                in[target] = list = new java.util.ArrayList<>();
                pending[target] = new java.util.ArrayList<>();
            }
            if (!joined[target]) {
                for (State o : list) {
                    if (o.sameAs(st)) {
                        return;
                    }
                }
                if (list.size() < paths) {
                    list.add(st);
                    pending[target].add(st);
                    enqueue(target, work, queued);
                    return;
                }
                // Too many paths: from here on the block has one state, the join of them all.
                State all = st;
                for (State o : list) {
                    all = joinStates(all, o, false, null);
                }
                joined[target] = true;
                list.clear();
                list.add(all);
                pending[target].clear();
                pending[target].add(all);
                enqueue(target, work, queued);
                return;
            }
            State old = list.get(0);
            boolean widen = ++visits[target] > WIDEN_AFTER;
            State merged = joinStates(old, st, widen, old);
            if (merged.sameAs(old)) {
                return;
            }
            list.set(0, merged);
            pending[target].clear();
            pending[target].add(merged);
            enqueue(target, work, queued);
        }

        private void enqueue(int target, PriorityQueue<Integer> work, boolean[] queued) {
            if (pending[target] == null) {
                pending[target] = new java.util.ArrayList<>();
            }
            if (!queued[target]) {
                queued[target] = true;
                work.add(target);
            }
        }

        /** The join of two states; widened against {@code old} when asked. */
        private static State joinStates(State a, State b, boolean widen, State old) {
            State merged = new State(new Val[11], new Val[SLOTS]);
            for (int r = 0; r < 11; r++) {
                Val j = join(a.regs[r], b.regs[r]);
                merged.regs[r] = widen ? widen(old.regs[r], j) : j;
            }
            for (int i = 0; i < SLOTS; i++) {
                Val x = a.slots[i], y = b.slots[i];
                Val j = x == null || y == null ? null : join(x, y);
                merged.slots[i] = widen && j != null && old.slots[i] != null ? widen(old.slots[i], j) : j;
            }
            return merged;
        }

        /** Registers (bit r) each instruction may read before they are written, for [start, end). */
        private int[] liveness(int start, int end) {
            int[] liveIn = new int[n + 1];
            boolean changed = true;
            while (changed) {
                changed = false;
                for (int pc = end - 1; pc >= start; pc--) {
                    if (pc > start && opcode(s[pc - 1]) == LDDW) {
                        continue; // second slot of an lddw
                    }
                    long insn = s[pc];
                    int op = opcode(insn);
                    int d = dst(insn), sr = src(insn);
                    int len = op == LDDW ? 2 : 1;
                    int out = 0;
                    boolean terminal = op == EXIT || op == JA || op == GOTOL;
                    if (!terminal && pc + len < end) {
                        out |= liveIn[pc + len];
                    }
                    int target = Verifier.jumpTarget(insn, pc);
                    if (target != Integer.MIN_VALUE && target >= start && target < end) {
                        out |= liveIn[target];
                    }
                    int use = 0, def = 0;
                    switch (cls(op)) {
                        case CLS_ALU, CLS_ALU64 -> {
                            int kind = aluOp(op);
                            if (kind != ALU_MOV) {
                                use |= 1 << d;
                            }
                            if (isReg(op) && kind != ALU_NEG && kind != ALU_END) {
                                use |= 1 << sr;
                            }
                            def |= 1 << d;
                        }
                        case CLS_LD -> def |= 1 << d;
                        case CLS_LDX -> {
                            use |= 1 << sr;
                            def |= 1 << d;
                        }
                        case CLS_ST -> use |= 1 << d;
                        case CLS_STX -> {
                            use |= 1 << d | 1 << sr;
                            int imm = imm(insn);
                            if (mode(op) == MODE_ATOMIC) {
                                if (imm == ATOMIC_CMPXCHG) {
                                    use |= 1;
                                    def |= 1;
                                } else if ((imm & ATOMIC_FETCH) != 0) {
                                    def |= 1 << sr;
                                }
                            }
                        }
                        default -> { // jumps, calls, exit
                            if (op == EXIT) {
                                use |= 1;
                            } else if (op == CALL || op == CALLX) {
                                use |= 0b111110 | (op == CALLX ? 1 << d : 0);
                                def |= 1;
                            } else if (op != JA && op != GOTOL) {
                                use |= 1 << d | (isReg(op) ? 1 << sr : 0);
                            }
                        }
                    }
                    int in = use | (out & ~def) | 1 << 10;
                    if (in != liveIn[pc]) {
                        liveIn[pc] = in;
                        changed = true;
                    }
                }
            }
            return liveIn;
        }

        private void branch(int pc, long insn, State st, int fallThrough, PriorityQueue<Integer> work, boolean[] queued) {
            int op = opcode(insn);
            int kind = aluOp(op);
            int d = dst(insn), sr = src(insn);
            boolean x = isReg(op);
            int target = Verifier.jumpTarget(insn, pc);
            Val a = st.regs[d];
            Val b = x ? st.regs[sr] : Val.constant(imm(insn));
            boolean j32 = cls(op) == CLS_JMP32;
            // A lookup result compared with 0: the null branch is a scalar 0, the other a map value.
            if (a.kind == MAP_OR_NULL && b.isConstant() && b.smin == 0 && (kind == JMP_JEQ || kind == JMP_JNE) && !j32) {
                BpfMap m = maps.get(a.region);
                Val value = Val.ptr(Addresses.FIRST_MAP_ID + a.region, 0, (long) (m.maxEntries() - 1) * m.valueSize(), false);
                State taken = st.copy(), not = st.copy();
                taken.regs[d] = kind == JMP_JEQ ? Val.constant(0) : value;
                not.regs[d] = kind == JMP_JEQ ? value : Val.constant(0);
                flow(target, taken, work, queued);
                flow(fallThrough, not, work, queued);
                return;
            }
            if (j32) {
                boolean signed = kind == JMP_JSGT || kind == JMP_JSGE || kind == JMP_JSLT || kind == JMP_JSLE;
                long limit = signed ? Integer.MAX_VALUE : U32_MAX;
                Val b32 = x ? b : Val.constant(signed ? imm(insn) : Integer.toUnsignedLong(imm(insn)));
                boolean exact = a.scalar() && b32.scalar() && a.umax >= 0 && a.umax <= limit
                        && (x ? b32.umax >= 0 && b32.umax <= limit : true);
                if (!exact) {
                    flow(target, st, work, queued);
                    flow(fallThrough, st, work, queued);
                    return;
                }
                b = b32;
            }
            if (!a.scalar() || !b.scalar()) {
                flow(target, st, work, queued);
                flow(fallThrough, st, work, queued);
                return;
            }
            Val[] taken = assume(kind, a, b);
            int notKind = negate(kind);
            Val[] not = notKind < 0 ? new Val[] {a, b} : assume(notKind, a, b);
            if (taken != null) {
                State t = st.copy();
                t.regs[d] = taken[0];
                if (x) {
                    t.regs[sr] = d == sr ? taken[0] : taken[1];
                }
                flow(target, t, work, queued);
            }
            if (not != null) {
                State f = st.copy();
                f.regs[d] = not[0];
                if (x) {
                    f.regs[sr] = d == sr ? not[0] : not[1];
                }
                flow(fallThrough, f, work, queued);
            }
        }

        private void call(int f, int pc, long insn, State st) {
            int op = opcode(insn);
            if (op == CALL && src(insn) == CALL_LOCAL) {
                int callee = Arrays.binarySearch(cfg.functionStarts(), pc + 1 + imm(insn));
                Val[] args = calleeArgs[callee] == null ? new Val[6] : calleeArgs[callee];
                boolean framePassed = false;
                for (int r = 1; r <= 5; r++) {
                    Val v = st.regs[r];
                    if (v.kind == PTR && v.region == Addresses.STACK_ID) { // the caller's frame is 512 B above the callee's
                        v = Val.ptr(v.region, satAdd(v.smin, Verifier.FRAME_BYTES), satAdd(v.smax, Verifier.FRAME_BYTES), false);
                        framePassed = true;
                    }
                    args[r] = calleeArgs[callee] == null ? v : join(args[r], v);
                }
                calleeArgs[callee] = args;
                st.regs[0] = Val.UNKNOWN;
                if (framePassed) {
                    // The callee may write our frame through that pointer. Without one it could only
                    // forge an address, which the calling convention excludes: spills reloaded after
                    // the call are facts for speed (never sound pointers), and a fast path that finds
                    // them wrong falls back to the checked access.
                    Arrays.fill(st.slots, null);
                }
                return;
            }
            Val r0 = Val.UNKNOWN;
            if (op == CALL) {
                switch (imm(insn)) {
                    case Helpers.MAP_LOOKUP_ELEM -> {
                        Val m = st.regs[1];
                        if (m.kind == MAP_HANDLE) {
                            r0 = new Val(MAP_OR_NULL, m.region, 0, 0, 0, 0, false);
                        }
                    }
                    case Helpers.GET_PRANDOM_U32 -> r0 = Val.U32;
                    case Helpers.GET_SMP_PROCESSOR_ID -> r0 = Val.constant(0);
                    default -> { }
                }
            }
            st.regs[0] = r0;
        }

        private static long satAdd(long a, long b) {
            long r = a + b;
            return ((a ^ r) & (b ^ r)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
        }

        private void step(int f, int pc, long insn, State st) {
            int op = opcode(insn);
            int d = dst(insn), sr = src(insn), off = offset(insn), imm = imm(insn);
            Val[] r = st.regs;
            switch (cls(op)) {
                case CLS_ALU64 -> r[d] = alu64(op, r[d], isReg(op) ? r[sr] : Val.constant(imm), off, imm);
                case CLS_ALU -> r[d] = alu32Op(op, r[d], isReg(op) ? r[sr] : Val.constant(imm), off, imm);
                case CLS_LD -> {
                    long next = s[pc + 1];
                    r[d] = switch (sr) {
                        case PSEUDO_MAP_FD -> new Val(MAP_HANDLE, imm, 0, 0, 0, 0, false);
                        case PSEUDO_MAP_VALUE -> {
                            long o = Integer.toUnsignedLong(Opcodes.imm(next));
                            yield Val.ptr(Addresses.FIRST_MAP_ID + imm, o, o, false);
                        }
                        default -> Val.constant((imm & U32_MAX) | ((long) Opcodes.imm(next) << 32));
                    };
                }
                case CLS_LDX -> {
                    Val base = r[sr];
                    int width = widthBytes(op);
                    record(f, pc, base, off, width, false);
                    r[d] = loaded(st, base, off, width, mode(op) == MODE_MEMSX);
                }
                case CLS_ST -> store(f, pc, st, r[d], off, widthBytes(op), Val.constant(imm), false);
                default -> { // STX
                    int width = widthBytes(op);
                    if (mode(op) == MODE_MEM) {
                        store(f, pc, st, r[d], off, width, r[sr], false);
                    } else {
                        store(f, pc, st, r[d], off, width, Val.UNKNOWN, true);
                        if (imm == ATOMIC_CMPXCHG) {
                            r[0] = Val.UNKNOWN;
                        } else if ((imm & ATOMIC_FETCH) != 0) {
                            r[sr] = Val.UNKNOWN;
                        }
                    }
                }
            }
        }

        private Val alu64(int op, Val a, Val b, int off, int imm) {
            int kind = aluOp(op);
            switch (kind) {
                case ALU_MOV -> {
                    if (!isReg(op) || off == 0) {
                        return b;
                    }
                    if (b.scalar()) {
                        long lo = off == 8 ? Byte.MIN_VALUE : off == 16 ? Short.MIN_VALUE : Integer.MIN_VALUE;
                        if (b.smin >= lo && b.smax <= -lo - 1) {
                            return b;
                        }
                        return orUnknown(Val.scalar(lo, -lo - 1, 0, -1L));
                    }
                    return Val.UNKNOWN;
                }
                case ALU_NEG -> {
                    return a.isConstant() ? Val.constant(-a.smin) : Val.UNKNOWN;
                }
                case ALU_END -> {
                    return imm == 64 ? Val.UNKNOWN : unsigned(0, (1L << imm) - 1);
                }
                default -> { }
            }
            if (a.kind == PTR && b.scalar() && (kind == ALU_ADD || kind == ALU_SUB)) {
                long lo = kind == ALU_ADD ? satAdd(a.smin, b.smin) : satAdd(a.smin, b.smax == Long.MIN_VALUE ? Long.MAX_VALUE : -b.smax);
                long hi = kind == ALU_ADD ? satAdd(a.smax, b.smax) : satAdd(a.smax, b.smin == Long.MIN_VALUE ? Long.MAX_VALUE : -b.smin);
                return Val.ptr(a.region, lo, hi, a.sound && b.isConstant() && !isReg(op));
            }
            if (b.kind == PTR && a.scalar() && kind == ALU_ADD) {
                return Val.ptr(b.region, satAdd(b.smin, a.smin), satAdd(b.smax, a.smax), false);
            }
            if (!a.scalar() || !b.scalar()) {
                return Val.UNKNOWN;
            }
            return alu(kind, a, b, off);
        }

        private Val alu32Op(int op, Val a, Val b, int off, int imm) {
            int kind = aluOp(op);
            switch (kind) {
                case ALU_MOV -> {
                    if (!isReg(op)) {
                        return Val.constant(imm & U32_MAX);
                    }
                    if (off == 0) {
                        return low32(b);
                    }
                    return Val.U32;
                }
                case ALU_NEG -> {
                    return a.isConstant() ? Val.constant(-a.smin & U32_MAX) : Val.U32;
                }
                case ALU_END -> {
                    if (!isReg(op)) { // to little-endian: truncation
                        Val t = imm == 64 ? a : a.scalar() && a.umax >= 0 && a.umax < (1L << imm) ? a : unsigned(0, (1L << imm) - 1);
                        return t.scalar() ? t : Val.UNKNOWN;
                    }
                    return imm == 64 ? Val.UNKNOWN : unsigned(0, (1L << imm) - 1);
                }
                default -> { }
            }
            return alu32(kind, a, isReg(op) ? b : Val.constant(imm & U32_MAX), off);
        }

        /** Value of a load: a spilled register back from its slot, a context pointer field, else bounds by width. */
        private Val loaded(State st, Val base, int off, int width, boolean signExtend) {
            if (base.kind == PTR && base.smin == base.smax) {
                long at = base.smin + off;
                if (base.region == Addresses.STACK_ID && base.sound && width == 8) {
                    int slot = slotOf(at);
                    if (slot >= 0 && st.slots[slot] != null) {
                        Val v = st.slots[slot];
                        return v.kind == PTR ? Val.ptr(v.region, v.smin, v.smax, false) : v;
                    }
                }
                if (base.region == Region.CONTEXT.id && type == ProgramType.XRP && width == 8) {
                    if (at == ProgramType.XRP_DATA_FIELD) {
                        return Val.ptr(Region.DATA.id, 0, 0, false);
                    }
                    if (at == ProgramType.XRP_SCRATCH_FIELD) {
                        return Val.ptr(Region.SCRATCH.id, 0, 0, false);
                    }
                }
            }
            if (width == 8) {
                return Val.UNKNOWN;
            }
            long bits = width * 8L;
            return signExtend ? orUnknown(Val.scalar(-(1L << (bits - 1)), (1L << (bits - 1)) - 1, 0, -1L))
                    : unsigned(0, (1L << bits) - 1);
        }

        private static int slotOf(long frameOffset) {
            if (frameOffset < -Verifier.FRAME_BYTES || frameOffset > -8 || (frameOffset & 7) != 0) {
                return -1;
            }
            return (int) ((frameOffset + Verifier.FRAME_BYTES) / 8);
        }

        private void store(int f, int pc, State st, Val base, int off, int width, Val value, boolean atomic) {
            byte c = record(f, pc, base, off, width, true);
            boolean stack = base.kind == PTR && base.region == Addresses.STACK_ID && base.sound;
            if (stack && c == PROVEN && base.smin == base.smax) {
                long at = base.smin + off;
                int slot = slotOf(at);
                if (slot >= 0 && width == 8 && !atomic) {
                    st.slots[slot] = value;
                    return;
                }
                for (long b = at & ~7L; b < at + width; b += 8) {
                    int i = slotOf(b);
                    if (i >= 0) {
                        st.slots[i] = null;
                    }
                }
                return;
            }
            if (!(c == PROVEN && !stack && !(base.kind == PTR && base.region == Addresses.STACK_ID))) {
                Arrays.fill(st.slots, null); // a store that may land anywhere (or anywhere in the frame)
            }
        }

        /** Classifies one access and joins it into the per-pc facts. */
        private byte record(int f, int pc, Val base, int off, int width, boolean store) {
            byte c = CHECKED;
            int id = 0;
            if (base.kind == PTR) {
                id = base.region;
                long lo = satAdd(base.smin, off), hi = satAdd(satAdd(base.smax, off), width);
                if (id == Addresses.STACK_ID) {
                    // Direct only from r10 plus constants, inside this frame.
                    if (base.sound && lo >= -Verifier.FRAME_BYTES && hi <= 0) {
                        c = PROVEN;
                        stackLow[f] = (int) Math.min(stackLow[f], lo);
                    }
                } else {
                    long size = assumedSize(id, store);
                    boolean first = cls[pc] == UNVISITED;
                    baseLo[pc] = first ? base.smin : Math.min(baseLo[pc], base.smin);
                    baseHi[pc] = first ? base.smax : Math.max(baseHi[pc], base.smax);
                    if (size < 0) {
                        c = CHECKED; // read-only map written: the checked path faults
                    } else {
                        c = lo >= 0 && hi <= size ? PROVEN : TYPED;
                    }
                }
            }
            if (c == CHECKED) {
                id = 0;
            }
            byte old = cls[pc];
            if (old == UNVISITED) {
                cls[pc] = c;
                region[pc] = id;
            } else if (region[pc] != id || old == CHECKED || c == CHECKED) {
                cls[pc] = CHECKED;
                region[pc] = 0;
            } else {
                cls[pc] = (byte) Math.min(old, c);
            }
            return c;
        }

        /** Size the proofs assume for a region; -1 where a store must fault (read-only map). */
        private long assumedSize(int id, boolean store) {
            if (id == Region.CONTEXT.id) {
                return type.contextBytes;
            }
            if (id == Region.DATA.id) {
                return type == ProgramType.XRP ? ProgramType.XRP_DATA_BYTES : 0;
            }
            if (id == Region.SCRATCH.id) {
                return type == ProgramType.XRP ? ProgramType.XRP_SCRATCH_BYTES : 0;
            }
            BpfMap m = maps.get(id - Addresses.FIRST_MAP_ID);
            if (store && m.readOnlyForPrograms()) {
                return -1;
            }
            return (long) m.valueSize() * m.maxEntries();
        }
    }
}
