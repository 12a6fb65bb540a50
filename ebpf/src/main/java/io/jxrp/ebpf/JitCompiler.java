package io.jxrp.ebpf;

import static io.jxrp.ebpf.Opcodes.*;
import static java.lang.constant.ConstantDescs.*;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Translates a verified program into one hidden class: a static method per BPF function with the
 * registers in JVM locals. Memory accesses follow the verifier's facts ({@link RangeAnalysis}): one
 * whose region is known (proven in bounds, or the region alone) is a plain access to the region's
 * segment, kept in a local from the method's entry; any other goes through {@link BpfMachine}'s
 * region lookup. Plain accesses stay safe whatever the proofs assumed: the JVM bounds-checks every
 * segment access, and an exception handler sends an access outside the segment to the checked path,
 * which completes it or faults exactly as the interpreter does. (For a region-typed access that is
 * how the program's own out-of-bounds access faults: a compare of ours before the JDK's would only
 * repeat it.) A proven load from the context, data or scratch goes further ({@link #sizedLoad}): it
 * reads the region's segment cut to what such loads reach, at an offset whose range the verifier found
 * is handed to C2 through {@code Objects.checkIndex}, so the JDK's check folds away; the machine runs
 * this sized translation only where the host bound that much, and a second one without otherwise
 * ({@link Compiled#needs}). The instruction count lives in a local, is charged per basic block and checked at
 * backward jumps and the final exit. A function whose bytecode could exceed {@link #CHUNK_BUDGET} is
 * split into chunk methods over contiguous block ranges that pass registers through a per-frame
 * array and return the next pc to a small dispatcher, so no method passes HotSpot's 8000-byte
 * compile limit.
 * How HotSpot compiles the generated methods is steered by {@link HotSpotDirective}.
 */
final class JitCompiler {
    private JitCompiler() {}

    /** What generated classes implement. */
    interface Entry {
        long run(BpfMachine machine, long r1, long r2, long r10);
    }

    /**
     * A translated program; {@code classBytes} kept for inspection by tests and tools. {@code needs}:
     * null, or per host region id (context 1, data 2, scratch 3) the bytes its bound segment must have
     * at least for this translation to run: its proven loads from the region ({@link #sizedLoad})
     * read a segment cut to that length, the end of the furthest of them. {@link BpfMachine} runs the
     * translation without ({@code sized} false) for a host that binds less. {@code [zeroFrom, zeroTo)}:
     * the stack bytes the machine zeroes before a run ({@link #stackToZero}).
     */
    record Compiled(Entry entry, byte[] classBytes, long[] needs, int zeroFrom, int zeroTo) {
        /** Stands in for a program the JIT cannot translate: the interpreter runs it, on a stack zeroed as for it. */
        static Compiled interpreted(Entry entry, BpfProgram p) {
            return new Compiled(entry, new byte[0], null, p.stackZeroFrom(), Addresses.STACK_BYTES);
        }
    }

    /** Upper bound on the estimated bytecode of one generated method (HotSpot's limit is 8000). */
    static final int CHUNK_BUDGET = 6000;
    /** Conservative bytecode bounds: per instruction, per memory access (with its slow path), per block, per jump. */
    private static final int PER_INSN = 26, PER_ACCESS = 90, PER_BLOCK = 24, PER_EXIT_JUMP = 110;
    /** What a load on a sized segment adds ({@code Body.provenOffset}: the range check and its constants). */
    private static final int PER_SIZED = 12;

    private static final ClassDesc CD_MACHINE = ClassDesc.of("io.jxrp.ebpf.BpfMachine");
    private static final ClassDesc CD_INTERP = ClassDesc.of("io.jxrp.ebpf.Interpreter");
    private static final ClassDesc CD_ENTRY = ClassDesc.of("io.jxrp.ebpf.JitCompiler$Entry");
    private static final ClassDesc CD_LONGS = CD_long.arrayType();
    private static final ClassDesc CD_SEGMENT = ClassDesc.of("java.lang.foreign.MemorySegment");
    private static final ClassDesc CD_OBJECTS = CD_Object.arrayType();
    private static final ClassDesc CD_OBJECTS_UTIL = ClassDesc.of("java.util.Objects");
    private static final ClassDesc CD_IOOBE = ClassDesc.of("java.lang.IndexOutOfBoundsException");
    private static final ClassDesc CD_FAULT = ClassDesc.of("io.jxrp.ebpf.BpfFault");
    private static final ClassDesc[] CD_LAYOUT = {null, ClassDesc.of("java.lang.foreign.ValueLayout$OfByte"),
            ClassDesc.of("java.lang.foreign.ValueLayout$OfShort"), null, ClassDesc.of("java.lang.foreign.ValueLayout$OfInt"),
            null, null, null, ClassDesc.of("java.lang.foreign.ValueLayout$OfLong")};
    private static final ClassDesc[] CD_VALUE = {null, CD_byte, CD_short, null, CD_int, null, null, null, CD_long};
    private static final String[] LAYOUT_FIELD = {null, "U8", "U16", null, "U32", null, null, null, "U64"};
    private static final MethodTypeDesc MTD_LOAD = MethodTypeDesc.of(CD_long, CD_long, CD_int);
    private static final MethodTypeDesc MTD_STORE = MethodTypeDesc.of(CD_void, CD_long, CD_long, CD_int);
    private static final MethodTypeDesc MTD_BUDGET = MethodTypeDesc.of(CD_FAULT, CD_long, CD_int);
    private static final MethodTypeDesc MTD_HELPER = MethodTypeDesc.of(CD_long, CD_long, CD_long, CD_long, CD_long,
            CD_long, CD_long, CD_int);
    private static final MethodTypeDesc MTD_ATOMIC = MethodTypeDesc.of(CD_long, CD_int, CD_boolean, CD_long, CD_long, CD_int);
    private static final MethodTypeDesc MTD_CMPXCHG = MethodTypeDesc.of(CD_long, CD_boolean, CD_long, CD_long, CD_long, CD_int);
    private static final MethodTypeDesc MTD_FRAME = MethodTypeDesc.of(CD_LONGS, CD_long);
    private static final MethodTypeDesc MTD_LLI = MethodTypeDesc.of(CD_long, CD_long, CD_long, CD_int);
    private static final MethodTypeDesc MTD_III = MethodTypeDesc.of(CD_long, CD_int, CD_int, CD_int);
    private static final MethodTypeDesc MTD_LI = MethodTypeDesc.of(CD_long, CD_long, CD_int);
    private static final MethodTypeDesc MTD_JJJ = MethodTypeDesc.of(CD_long, CD_long, CD_long);
    private static final MethodTypeDesc MTD_JJ_I = MethodTypeDesc.of(CD_int, CD_long, CD_long);
    private static final MethodTypeDesc MTD_III_I = MethodTypeDesc.of(CD_int, CD_int, CD_int);
    private static final MethodTypeDesc MTD_FUNCTION = MethodTypeDesc.of(CD_long, CD_MACHINE, CD_long, CD_long, CD_long,
            CD_long, CD_long, CD_long);
    private static final MethodTypeDesc MTD_CHUNK = MethodTypeDesc.of(CD_int, CD_MACHINE, CD_LONGS, CD_int);
    private static final MethodTypeDesc MTD_RUN = MethodTypeDesc.of(CD_long, CD_MACHINE, CD_long, CD_long, CD_long);

    /** Local slots of r0..r10 in a whole-function method (parameters m, r1..r5, r10 come first). */
    private static final int[] DIRECT_SLOTS = {13, 1, 3, 5, 7, 9, 15, 17, 19, 21, 11};
    /** Local slots of r0..r10 in a chunk method (after m, R, pc). */
    private static final int[] CHUNK_SLOTS = {3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23};
    /** First free local after the registers: the instruction count, a scratch long, then segments and sizes. */
    private static final int DIRECT_FREE = 23, CHUNK_FREE = 25;

    /** Binary name of every generated class (each is a hidden class: the JVM appends a suffix). */
    static final String CLASS_NAME = "io.jxrp.ebpf.JitProgram";

    static Compiled compile(BpfProgram p) {
        return compile(p, true);
    }

    /** {@code sized}: whether proven loads from host regions go through segments cut to what they reach ({@link Compiled#needs}). */
    static Compiled compile(BpfProgram p, boolean sized) {
        HotSpotDirective.ensureAdded();
        long[] needs = sized ? needs(p) : null;
        ClassDesc self = ClassDesc.of(CLASS_NAME);
        int[] starts = p.analysis.functionStarts();
        boolean[] framePrivate = framePrivate(p, starts);
        List<java.util.SortedMap<Integer, Integer>> mainSlots = new ArrayList<>(List.of(java.util.Collections.emptySortedMap()));
        // Stack maps may need our own classes' hierarchy: resolve them through this module's loader too,
        // so translation works when jxrp is loaded by a non-system class loader.
        ClassFile classFile = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(
                ClassHierarchyResolver.defaultResolver().orElse(
                        ClassHierarchyResolver.ofResourceParsing(JitCompiler.class.getClassLoader()))));
        byte[] bytes = classFile.build(self, cb -> {
            cb.withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SYNTHETIC);
            cb.withInterfaceSymbols(CD_ENTRY);
            cb.withMethodBody(INIT_NAME, MTD_void, ClassFile.ACC_PUBLIC, code -> {
                code.aload(0);
                code.invokespecial(CD_Object, INIT_NAME, MTD_void);
                code.return_();
            });
            cb.withMethodBody("run", MTD_RUN, ClassFile.ACC_PUBLIC, code -> {
                code.aload(1);
                code.lload(2);
                code.lload(4);
                code.lconst_0();
                code.lconst_0();
                code.lconst_0();
                code.lload(6);
                code.invokestatic(self, "f0", MTD_FUNCTION);
                code.lreturn();
            });
            for (int f = 0; f < starts.length; f++) {
                int start = starts[f];
                int end = reachableEnd(p, start, p.analysis.functionEnd(f, p.slots.length));
                FunctionGen gen = new FunctionGen(p, self, f, starts, framePrivate, needs);
                // One method with frame slots in locals, else one method without, else chunks.
                boolean promote = fitsOneMethod(classFile, self, gen, start, end, true);
                List<int[]> chunks = promote || fitsOneMethod(classFile, self, gen, start, end, false)
                        ? List.of(new int[] {start, end}) : partition(p, start, end, needs != null);
                if (f == 0 && chunks.size() == 1 && promote) {
                    mainSlots.set(0, promotableSlots(p, start, end)); // what Body.promote keeps in locals
                }
                if (chunks.size() == 1) {
                    cb.withMethodBody("f" + f, MTD_FUNCTION, ClassFile.ACC_STATIC, code -> gen.direct(code, start, end, promote));
                } else {
                    cb.withMethodBody("f" + f, MTD_FUNCTION, ClassFile.ACC_STATIC, code -> gen.dispatcher(code, start, chunks));
                    for (int c = 0; c < chunks.size(); c++) {
                        int[] range = chunks.get(c);
                        cb.withMethodBody("f" + f + "_c" + c, MTD_CHUNK, ClassFile.ACC_STATIC,
                                code -> gen.chunk(code, range[0], range[1]));
                    }
                }
            }
        });
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup().defineHiddenClass(bytes, true);
            Entry entry = (Entry) lookup.findConstructor(lookup.lookupClass(), MethodType.methodType(void.class)).invoke();
            int[] zero = stackToZero(p, mainSlots.get(0));
            return new Compiled(entry, bytes, needs, zero[0], zero[1]);
        } catch (Throwable e) {
            throw new IllegalStateException("JIT translation of " + p.name + " failed: " + e, e);
        }
    }

    /**
     * The stack bytes a run of a translation needs zeroed, {@code {from, to}}: of those from
     * {@link BpfProgram#stackZeroFrom()} up, all but the main function's slots kept in JVM locals
     * ({@code mainSlots}, frame offset to width). Such a slot is 0 in its local when the run starts and
     * is written to the frame at every point where something other than its own {@code r10 + off}
     * accesses could read the frame (a checked access, a helper, a call that may see the frame), so
     * its bytes in memory are never read before that. Lower bytes are zeroed when a checked access
     * first reaches them, as in the interpreter. {@code from == to} where nothing is left.
     */
    static int[] stackToZero(BpfProgram p, java.util.SortedMap<Integer, Integer> mainSlots) {
        int from = p.stackZeroFrom(), top = Addresses.STACK_BYTES;
        boolean[] inLocal = new boolean[top - from];
        for (var e : mainSlots.entrySet()) {
            for (int b = top + e.getKey(); b < top + e.getKey() + e.getValue(); b++) {
                if (b >= from) {
                    inLocal[b - from] = true;
                }
            }
        }
        int lo = top, hi = top;
        for (int b = from; b < top; b++) {
            if (!inLocal[b - from]) {
                lo = Math.min(lo, b);
                hi = b + 1;
            }
        }
        return lo < hi ? new int[] {lo, hi} : new int[] {top, top};
    }

    /** HotSpot compiles no method with more bytecode than this ({@code -XX:HugeMethodLimit}). */
    static final int HUGE_METHOD_LIMIT = 8000;

    /** Whether the function as one method stays below {@link #HUGE_METHOD_LIMIT}: emitted once to measure. */
    private static boolean fitsOneMethod(ClassFile classFile, ClassDesc self, FunctionGen gen, int start, int end,
            boolean promote) {
        if ((long) (end - start) * 12 > HUGE_METHOD_LIMIT) {
            return false; // certainly too big: not worth emitting
        }
        byte[] trial = classFile.build(self, cb -> cb.withMethodBody("trial", MTD_FUNCTION, ClassFile.ACC_STATIC,
                code -> gen.direct(code, start, end, promote)));
        for (java.lang.classfile.MethodModel m : ClassFile.of().parse(trial).methods()) {
            if (m.methodName().equalsString("trial")) {
                return m.code().map(c -> ((java.lang.classfile.attribute.CodeAttribute) c).codeLength()).orElse(0)
                        < HUGE_METHOD_LIMIT;
            }
        }
        return false;
    }

    /**
     * The end of the code a function can reach from its start: an object's sections may carry code
     * no call reaches after the last function (every static function of the object, called or not),
     * which the verifier counts into the last function. Translating it would only make that method
     * bigger (past HotSpot's limit, into chunks); a jump can never land there.
     */
    static int reachableEnd(BpfProgram p, int start, int end) {
        boolean[] reached = Verifier.reachableFrom(p.slots, start);
        int last = start;
        for (int pc = start; pc < end; pc++) {
            if (reached[pc]) {
                last = pc + (p.op[pc] == LDDW ? 1 : 0);
            }
        }
        return last + 1;
    }

    /** Cuts [start, end) at block boundaries into ranges whose estimated bytecode fits {@link #CHUNK_BUDGET}. */
    static List<int[]> partition(BpfProgram p, int start, int end, boolean sized) {
        int[] cost = p.analysis.blockCost();
        List<int[]> chunks = new ArrayList<>();
        int chunkStart = start;
        int estimate = 200; // prologue, register spills, entry switch
        for (int pc = start; pc < end; pc++) {
            int add = insnEstimate(p, pc, sized);
            if (cost[pc] != 0) {
                add += PER_BLOCK;
                if (estimate + blockEstimate(p, pc, end, sized) > CHUNK_BUDGET && pc > chunkStart) {
                    chunks.add(new int[] {chunkStart, pc});
                    chunkStart = pc;
                    estimate = 200;
                }
            }
            if (Verifier.jumpTarget(p.slots[pc], pc) != Integer.MIN_VALUE) {
                add += PER_EXIT_JUMP;
            }
            estimate += add;
            if (p.op[pc] == LDDW) {
                pc++;
            }
        }
        chunks.add(new int[] {chunkStart, end});
        return chunks;
    }

    /**
     * The frame slots of one function that may live in JVM locals: every access to their bytes in
     * the function is {@code r10 + off} with the same offset and width (inside the frame, proven, no
     * atomics). Anything else that could see the frame (an access through another pointer, a
     * checked access, a call to a function that may see the caller's frame: {@link #framePrivate}) is a
     * sync point where the locals are written back and reloaded, so the
     * memory stays what the interpreter would have. Offset to width, in offset order.
     */
    static java.util.SortedMap<Integer, Integer> promotableSlots(BpfProgram p, int start, int end) {
        RangeAnalysis.Facts facts = p.analysis.facts();
        java.util.TreeMap<Integer, Integer> slots = new java.util.TreeMap<>();
        java.util.Set<Integer> refused = new java.util.HashSet<>();
        for (int pc = start; pc < end; pc++) {
            int op = p.op[pc];
            int c = cls(op);
            boolean memory = c == CLS_LDX || c == CLS_ST || c == CLS_STX;
            int base = c == CLS_LDX ? p.src[pc] : p.dst[pc];
            if (memory && base == 10) {
                int off = p.off[pc], width = widthBytes(op);
                boolean plain = (c != CLS_STX || mode(op) == MODE_MEM) && off >= -Verifier.FRAME_BYTES && off + width <= 0
                        && facts.accessClass()[pc] == RangeAnalysis.PROVEN && facts.accessRegion()[pc] == Addresses.STACK_ID;
                Integer known = slots.get(off);
                if (!plain || (known != null && known != width)) {
                    for (int b = off; b < off + width; b++) {
                        refused.add(b);
                    }
                    if (known != null) {
                        for (int b = off; b < off + known; b++) {
                            refused.add(b);
                        }
                    }
                    slots.remove(off);
                    continue;
                }
                slots.put(off, width);
            }
            if (op == LDDW) {
                pc++;
            }
        }
        // Drop slots whose bytes another access (other offset or width) also touches.
        java.util.Map<Integer, Integer> owner = new HashMap<>();
        for (var e : slots.entrySet()) {
            for (int b = e.getKey(); b < e.getKey() + e.getValue(); b++) {
                Integer other = owner.put(b, e.getKey());
                if (other != null) {
                    refused.add(b);
                }
            }
        }
        slots.entrySet().removeIf(e -> {
            for (int b = e.getKey(); b < e.getKey() + e.getValue(); b++) {
                if (refused.contains(b)) {
                    return true;
                }
            }
            return false;
        });
        return slots;
    }

    /**
     * Per function: whether a call to it can neither read nor write its caller's frame, so a caller
     * keeps its promoted frame slots in locals across the call (no write-back before, no reload
     * after). True when the function and everything it calls touch the stack only as {@code r10 + off}
     * (proven: their own frame, where the verifier confines such accesses), and make no checked access,
     * atomic access or helper call (any of which could reach the caller's frame through a pointer).
     */
    static boolean[] framePrivate(BpfProgram p, int[] starts) {
        RangeAnalysis.Facts facts = p.analysis.facts();
        boolean[] own = new boolean[starts.length];
        List<List<Integer>> callees = new ArrayList<>();
        for (int f = 0; f < starts.length; f++) {
            int end = reachableEnd(p, starts[f], p.analysis.functionEnd(f, p.slots.length));
            boolean ok = true;
            List<Integer> calls = new ArrayList<>();
            for (int pc = starts[f]; pc < end && ok; pc++) {
                int op = p.op[pc];
                int c = cls(op);
                if (c == CLS_LDX || c == CLS_ST || c == CLS_STX) {
                    int base = c == CLS_LDX ? p.src[pc] : p.dst[pc];
                    byte k = facts.accessClass()[pc];
                    boolean atomic = c == CLS_STX && mode(op) != MODE_MEM;
                    boolean stack = facts.accessRegion()[pc] == Addresses.STACK_ID;
                    ok = k != RangeAnalysis.CHECKED && !atomic
                            && (!stack || (base == 10 && k == RangeAnalysis.PROVEN && p.off[pc] + widthBytes(op) <= 0));
                } else if (op == CALL && p.src[pc] == CALL_LOCAL) {
                    calls.add(java.util.Arrays.binarySearch(starts, pc + 1 + p.imm[pc]));
                } else if (op == CALL || op == CALLX) {
                    ok = false; // a helper
                }
                if (op == LDDW) {
                    pc++;
                }
            }
            own[f] = ok;
            callees.add(calls);
        }
        boolean[] safe = own.clone();
        for (boolean changed = true; changed; ) { // the verifier rejects recursion: this settles
            changed = false;
            for (int f = 0; f < starts.length; f++) {
                if (safe[f] && callees.get(f).stream().anyMatch(g -> g < 0 || !safe[g])) {
                    safe[f] = false;
                    changed = true;
                }
            }
        }
        return safe;
    }

    private static int insnEstimate(BpfProgram p, int pc, boolean sized) {
        int c = cls(p.op[pc]);
        return c == CLS_LDX || c == CLS_ST || c == CLS_STX ? PER_ACCESS + (sized && sizedLoad(p, pc) ? PER_SIZED : 0) : PER_INSN;
    }

    /**
     * Whether the load at {@code pc} is proven inside the context, data or scratch, whose size the
     * proofs assume: in a sized translation it reads the region's segment cut to the end of the
     * furthest such load ({@link Compiled#needs}), at an offset whose range C2 is told
     * ({@code Body.provenOffset}), so the JDK's bounds check of the load folds away. (Maps and the
     * stack keep their paths.)
     */
    static boolean sizedLoad(BpfProgram p, int pc) {
        RangeAnalysis.Facts facts = p.analysis.facts();
        if (!facts.complete() || cls(p.op[pc]) != CLS_LDX || facts.accessClass()[pc] != RangeAnalysis.PROVEN) {
            return false;
        }
        int id = facts.accessRegion()[pc];
        if (id < Region.CONTEXT.id || id > Region.SCRATCH.id) {
            return false;
        }
        // What C2 is told and then relies on, checked here rather than taken from the class: every
        // offset the range admits, plus the load's own offset and width, lies inside the cut segment.
        long lo = facts.baseLo()[pc], hi = facts.baseHi()[pc], bytes = facts.regionBytes()[id];
        return bytes > 0 && -bytes <= lo && lo <= hi && hi <= bytes // no overflow below
                && lo + p.off[pc] >= 0 && hi + p.off[pc] + widthBytes(p.op[pc]) <= bytes;
    }

    /** What a sized translation needs of the host's bindings ({@link Compiled#needs}); null if nothing. */
    static long[] needs(BpfProgram p) {
        RangeAnalysis.Facts facts = p.analysis.facts();
        long[] needs = new long[Region.SCRATCH.id + 1];
        boolean any = false;
        for (int pc = 0; pc < p.slots.length; pc++) {
            if (sizedLoad(p, pc) && !(pc > 0 && p.op[pc - 1] == LDDW)) {
                int id = facts.accessRegion()[pc];
                needs[id] = Math.max(needs[id], facts.baseHi()[pc] + p.off[pc] + widthBytes(p.op[pc]));
                any = true;
            }
        }
        return any ? needs : null;
    }

    private static int blockEstimate(BpfProgram p, int leader, int end, boolean sized) {
        int[] cost = p.analysis.blockCost();
        int estimate = PER_BLOCK;
        for (int pc = leader; pc < end && (pc == leader || cost[pc] == 0); pc++) {
            estimate += insnEstimate(p, pc, sized);
            if (Verifier.jumpTarget(p.slots[pc], pc) != Integer.MIN_VALUE) {
                estimate += PER_EXIT_JUMP;
            }
            if (p.op[pc] == LDDW) {
                pc++;
            }
        }
        return estimate;
    }

    /** Emits the methods of one BPF function. */
    private static final class FunctionGen {
        private final BpfProgram p;
        private final ClassDesc self;
        private final int function;
        private final int[] starts;
        /** {@link #framePrivate} of every function. */
        private final boolean[] framePrivate;
        /** A sized translation's {@link Compiled#needs}; null for one without. */
        private final long[] needs;

        FunctionGen(BpfProgram p, ClassDesc self, int function, int[] starts, boolean[] framePrivate, long[] needs) {
            this.p = p;
            this.self = self;
            this.function = function;
            this.starts = starts;
            this.framePrivate = framePrivate;
            this.needs = needs;
        }

        /** Whole function in one method: registers live in locals, exit returns r0. */
        void direct(CodeBuilder code, int start, int end, boolean promote) {
            int[] slots = DIRECT_SLOTS;
            for (int r : new int[] {0, 6, 7, 8, 9}) {
                code.lconst_0();
                code.lstore(slots[r]);
            }
            Body body = new Body(code, slots, DIRECT_FREE, start, end, null);
            if (promote) {
                body.promote(promotableSlots(p, start, end));
            }
            body.prologue();
            body.instructions();
            body.outOfLine();
        }

        /** Dispatcher of a split function: set up the frame's register array, call chunks until exit. */
        void dispatcher(CodeBuilder code, int start, List<int[]> chunks) {
            int regsSlot = 13, pcSlot = 14;
            code.aload(0);
            code.lload(11);
            code.invokevirtual(CD_MACHINE, "jitFrame", MTD_FRAME);
            code.astore(regsSlot);
            for (int r = 0; r <= 10; r++) {
                code.aload(regsSlot);
                code.loadConstant(r);
                if (r >= 1 && r <= 5) {
                    code.lload(DIRECT_SLOTS[r]);
                } else if (r == 10) {
                    code.lload(11);
                } else {
                    code.lconst_0();
                }
                code.lastore();
            }
            code.loadConstant(start);
            code.istore(pcSlot);
            Label loop = code.newLabel();
            Label done = code.newLabel();
            code.labelBinding(loop);
            code.iload(pcSlot);
            code.iflt(done);
            for (int c = 0; c < chunks.size(); c++) {
                Label next = code.newLabel();
                if (c + 1 < chunks.size()) {
                    code.iload(pcSlot);
                    code.loadConstant(chunks.get(c + 1)[0]);
                    code.if_icmpge(next);
                }
                code.aload(0);
                code.aload(regsSlot);
                code.iload(pcSlot);
                code.invokestatic(self, "f" + function + "_c" + c, MTD_CHUNK);
                code.istore(pcSlot);
                code.goto_(loop);
                code.labelBinding(next);
            }
            code.labelBinding(done);
            code.aload(regsSlot);
            code.iconst_0();
            code.laload();
            code.lreturn();
        }

        /** One chunk: load registers, jump to the entry pc, run until leaving the range or exit. */
        void chunk(CodeBuilder code, int start, int end) {
            int[] slots = CHUNK_SLOTS;
            for (int r = 0; r <= 10; r++) {
                code.aload(1);
                code.loadConstant(r);
                code.laload();
                code.lstore(slots[r]);
            }
            Body body = new Body(code, slots, CHUNK_FREE, start, end, new HashMap<>());
            body.prologue();
            body.emitChunk();
        }

        /** Emits the instructions of [start, end) with a given register mapping. */
        private final class Body {
            private final CodeBuilder code;
            private final int[] slots;
            private final int start, end;
            /** Null in a whole-function method; else out-of-range jump targets to their spill stubs. */
            private final Map<Integer, Label> exits;
            private final Map<Integer, Label> labels = new HashMap<>();
            /** Local slot of the instruction count left ({@link BpfMachine#remaining} while running here). */
            private final int rem;
            private int nextLocal;
            /** Region id to the local holding its readable / writable segment. */
            private final Map<Integer, Integer> readSeg = new HashMap<>(), writeSeg = new HashMap<>();
            /** Region id to the local holding its readable segment cut to the size the proofs assume. */
            private final Map<Integer, Integer> sizedSeg = new HashMap<>();
            /** Code emitted after the body: slow paths, exception handlers, budget faults. */
            private final List<Runnable> outOfLine = new ArrayList<>();
            /** Frame slots kept in locals ({@link #promotableSlots}): frame offset to width, and to local. */
            private java.util.SortedMap<Integer, Integer> promoWidth = new java.util.TreeMap<>();
            private final Map<Integer, Integer> promoLocal = new HashMap<>();

            Body(CodeBuilder code, int[] slots, int firstFree, int start, int end, Map<Integer, Label> exits) {
                this.code = code;
                this.slots = slots;
                this.start = start;
                this.end = end;
                this.exits = exits;
                this.rem = firstFree;
                this.nextLocal = firstFree + 2;
            }

            private Label label(int pc) {
                if (pc >= start && pc < end) {
                    return labels.computeIfAbsent(pc, k -> code.newLabel());
                }
                return exits.computeIfAbsent(pc, k -> code.newLabel());
            }

            /**
             * Write-back and reload are one shared block each (a sync point jumps there with its
             * return index in {@link #resume}, the block ends in a switch back), so a function with
             * many slow paths stays small.
             */
            private Label writeBackBlock, reloadBlock;
            private final List<Label> writeBackReturns = new ArrayList<>(), reloadReturns = new ArrayList<>();
            private int resume = -1;

            /** Keeps these frame slots (offset to width) in locals. */
            void promote(java.util.SortedMap<Integer, Integer> slots) {
                if (slots.isEmpty()) {
                    return;
                }
                promoWidth = slots;
                for (Integer off : slots.keySet()) {
                    promoLocal.put(off, nextLocal);
                    nextLocal += 2;
                }
                resume = nextLocal++;
                writeBackBlock = code.newLabel();
                reloadBlock = code.newLabel();
            }

            private void sharedBlock(Label block, List<Label> returns, Runnable body) {
                if (returns.isEmpty()) {
                    return;
                }
                code.labelBinding(block);
                body.run();
                List<java.lang.classfile.instruction.SwitchCase> cases = new ArrayList<>();
                for (int i = 0; i < returns.size(); i++) {
                    cases.add(java.lang.classfile.instruction.SwitchCase.of(i, returns.get(i)));
                }
                code.iload(resume);
                code.tableswitch(0, returns.size() - 1, returns.get(0), cases);
            }

            /** Jumps to a shared block and comes back here (operand stack empty). */
            private void viaShared(Label block, List<Label> returns) {
                Label back = code.newLabel();
                code.loadConstant(returns.size());
                code.istore(resume);
                code.goto_(block);
                code.labelBinding(back);
                returns.add(back);
            }

            /** Pushes the machine's stack segment, the layout for {@code width} and the offset of frame slot {@code off}. */
            private void frameSlot(int off, int width) {
                code.aload(0);
                code.getfield(CD_MACHINE, "stack", CD_SEGMENT);
                layout(width);
                regionOffset(10, off, Addresses.STACK_ID);
            }

            /** Makes the frame's memory hold the promoted slots' values: before anything else may read it. */
            private void writeBack() {
                if (!promoWidth.isEmpty()) {
                    viaShared(writeBackBlock, writeBackReturns);
                }
            }

            /** Reloads the promoted slots from the frame's memory: after anything else may have written it. */
            private void reload() {
                if (!promoWidth.isEmpty()) {
                    viaShared(reloadBlock, reloadReturns);
                }
            }

            private void writeBackSlots() {
                for (var e : promoWidth.entrySet()) {
                    frameSlot(e.getKey(), e.getValue());
                    code.lload(promoLocal.get(e.getKey()));
                    narrow(e.getValue());
                    segmentSet(e.getValue());
                }
            }

            private void reloadSlots() {
                for (var e : promoWidth.entrySet()) {
                    frameSlot(e.getKey(), e.getValue());
                    segmentGet(e.getValue());
                    widen(e.getValue(), false);
                    code.lstore(promoLocal.get(e.getKey()));
                }
            }

            /** Loads the instruction count and the segment of every region this range reaches directly. */
            void prologue() {
                code.aload(0);
                code.getfield(CD_MACHINE, "remaining", CD_long);
                code.lstore(rem);
                RangeAnalysis.Facts facts = p.analysis.facts();
                for (int pc = start; pc < end; pc++) {
                    byte c = facts.accessClass()[pc];
                    if (c == RangeAnalysis.CHECKED || p.op[pc] == 0) {
                        continue;
                    }
                    boolean store = cls(p.op[pc]) != CLS_LDX;
                    if (store && cls(p.op[pc]) == CLS_STX && mode(p.op[pc]) != MODE_MEM) {
                        continue; // atomics take the checked path
                    }
                    int id = facts.accessRegion()[pc];
                    Map<Integer, Integer> segs = store ? writeSeg : readSeg;
                    if (!segs.containsKey(id)) {
                        int slot = nextLocal++;
                        segs.put(id, slot);
                        code.aload(0);
                        code.getfield(CD_MACHINE, store ? "writable" : "readable", CD_OBJECTS);
                        code.loadConstant(id);
                        code.aaload();
                        code.checkcast(CD_SEGMENT);
                        code.astore(slot);
                    }
                    if (!store && sizedLoad(pc) && !sizedSeg.containsKey(id)) {
                        // The machine runs this translation only if the bound segment has these bytes at
                        // least: the cut cannot fail, and C2 sees the new segment's length as a constant.
                        int slot = nextLocal++;
                        sizedSeg.put(id, slot);
                        code.aload(readSeg.get(id));
                        code.lconst_0();
                        code.loadConstant(needs[id]);
                        code.invokeinterface(CD_SEGMENT, "asSlice", MethodTypeDesc.of(CD_SEGMENT, CD_long, CD_long));
                        code.astore(slot);
                    }
                }
                if (resume >= 0) {
                    code.iconst_0();
                    code.istore(resume);
                }
                if (function == 0) {
                    // the run's stack starts zeroed (the machine zeroes every byte a proven access reaches)
                    for (int local : promoLocal.values()) {
                        code.lconst_0();
                        code.lstore(local);
                    }
                } else {
                    reloadSlots(); // a callee's frame holds what an earlier call left
                }
            }

            void emitChunk() {
                int[] cost = p.analysis.blockCost();
                List<Integer> entries = new ArrayList<>();
                for (int pc = start; pc < end; pc++) {
                    if (cost[pc] != 0) {
                        entries.add(pc);
                    }
                }
                Label bad = code.newLabel();
                List<java.lang.classfile.instruction.SwitchCase> cases = new ArrayList<>();
                for (int pc : entries) {
                    cases.add(java.lang.classfile.instruction.SwitchCase.of(pc, label(pc)));
                }
                code.iload(2);
                code.lookupswitch(bad, cases);
                instructions();
                // Falling off the end of the range continues in the next chunk.
                int last = lastInsn();
                int lop = p.op[last];
                if (lop != EXIT && lop != JA && lop != GOTOL) {
                    code.goto_(label(end));
                }
                outOfLine();
                for (Map.Entry<Integer, Label> e : exits.entrySet()) {
                    code.labelBinding(e.getValue());
                    spill();
                    code.loadConstant(e.getKey());
                    code.ireturn();
                }
                code.labelBinding(bad);
                code.new_(ClassDesc.of("java.lang.IllegalStateException"));
                code.dup();
                code.invokespecial(ClassDesc.of("java.lang.IllegalStateException"), INIT_NAME, MTD_void);
                code.athrow();
            }

            void outOfLine() {
                // Stubs may add stubs of their own (none do today); run until none are left.
                for (int i = 0; i < outOfLine.size(); i++) {
                    outOfLine.get(i).run();
                }
                if (!promoWidth.isEmpty()) { // last: every sync point is known now
                    sharedBlock(writeBackBlock, writeBackReturns, this::writeBackSlots);
                    sharedBlock(reloadBlock, reloadReturns, this::reloadSlots);
                }
            }

            private int lastInsn() {
                int last = start;
                for (int pc = start; pc < end; pc++) {
                    last = pc;
                    if (p.op[pc] == LDDW) {
                        pc++;
                    }
                }
                return last;
            }

            private void spill() {
                for (int r = 0; r <= 10; r++) {
                    code.aload(1);
                    code.loadConstant(r);
                    code.lload(slots[r]);
                    code.lastore();
                }
                saveCount();
            }

            /**
             * Makes {@link BpfMachine#remaining} current: before anything that may fault or read it.
             * {@code prepaid}: what the local holds charged for blocks not entered yet (see {@link #instructions}).
             */
            private void saveCount(long prepaid) {
                code.aload(0);
                code.lload(rem);
                if (prepaid != 0) {
                    code.loadConstant(prepaid);
                    code.ladd();
                }
                code.putfield(CD_MACHINE, "remaining", CD_long);
            }

            private void saveCount() {
                saveCount(prepaid);
            }

            /**
             * Charged in advance, for blocks after the current one that only fall-through reaches:
             * a chain of such blocks is charged once at its head, and a jump that leaves the chain
             * early gives back what it did not run ({@link #branchTarget}). Counts stay exact.
             */
            private long prepaid;

            void instructions() {
                int[] cost = p.analysis.blockCost();
                boolean[] target = exits == null ? jumpTargets() : null; // chunks: every block is an entry
                for (int pc = start; pc < end; pc++) {
                    if (cost[pc] != 0) {
                        code.labelBinding(label(pc));
                        if (prepaid > 0) {
                            prepaid -= cost[pc]; // charged with the chain's head
                        } else {
                            long total = target == null ? cost[pc] : chainCost(pc, target);
                            code.lload(rem);
                            code.loadConstant(total);
                            code.lsub();
                            code.lstore(rem);
                            prepaid = total - cost[pc];
                        }
                    }
                    insn(pc);
                    if (p.op[pc] == LDDW) {
                        pc++;
                    }
                }
            }

            /** Jump targets and the function's entry: blocks that cannot join a fall-through chain. */
            private boolean[] jumpTargets() {
                boolean[] t = new boolean[p.slots.length + 1];
                t[start] = true;
                for (int pc = start; pc < end; pc++) {
                    int target = Verifier.jumpTarget(p.slots[pc], pc);
                    if (target != Integer.MIN_VALUE && target >= 0 && target < t.length) {
                        t[target] = true;
                    }
                    if (p.op[pc] == LDDW) {
                        pc++;
                    }
                }
                return t;
            }

            /** Cost of the block at {@code leader} and of the blocks only fall-through reaches after it. */
            private long chainCost(int leader, boolean[] target) {
                int[] cost = p.analysis.blockCost();
                long total = 0;
                int pc = leader;
                while (true) {
                    total += cost[pc];
                    int last = pc, q = pc;
                    do {
                        last = q;
                        q += p.op[q] == LDDW ? 2 : 1;
                    } while (q < end && cost[q] == 0);
                    int op = p.op[last];
                    boolean falls = op != EXIT && op != JA && op != GOTOL;
                    if (!falls || q >= end || target[q]) {
                        return total;
                    }
                    pc = q;
                }
            }

            private void ld(int r) { code.lload(slots[r]); }
            private void st(int r) { code.lstore(slots[r]); }
            private void u32() { code.i2l(); code.loadConstant(0xffffffffL); code.land(); }

            /** Pushes the address {@code r + off}. */
            private void address(int r, int off) {
                ld(r);
                if (off != 0) {
                    code.loadConstant((long) off);
                    code.ladd();
                }
            }

            private void insn(int pc) {
                int op = p.op[pc], d = p.dst[pc], s = p.src[pc], off = p.off[pc], imm = p.imm[pc];
                switch (cls(op)) {
                    case CLS_ALU64 -> alu64(op, d, s, off, imm);
                    case CLS_ALU -> alu32(op, d, s, off, imm);
                    case CLS_LD -> {
                        code.loadConstant(p.wide[pc]);
                        st(d);
                    }
                    case CLS_LDX -> load(pc, op, d, s, off);
                    case CLS_ST -> store(pc, widthBytes(op), d, off, () -> code.loadConstant((long) imm));
                    case CLS_STX -> {
                        if (mode(op) == MODE_MEM) {
                            store(pc, widthBytes(op), d, off, () -> ld(s));
                        } else {
                            atomic(pc, op, d, s, off, imm);
                        }
                    }
                    default -> jmp(pc, op, d, s, off, imm);
                }
            }

            // ---- memory ----

            /** Pushes {@code r[base] + off - regionBase}: the access's offset in its region's segment. */
            private void regionOffset(int base, int off, int id) {
                ld(base);
                code.loadConstant((long) off - ((long) id << 32));
                code.ladd();
            }

            private boolean sizedLoad(int pc) {
                return needs != null && JitCompiler.sizedLoad(p, pc);
            }

            /**
             * The offset of a proven load at {@code base + off} with its range made known to C2: the
             * base's offset into the region goes through {@code Objects.checkIndex} against the range
             * the verifier found for it (an intrinsic whose result C2 types with that range, and the
             * checks of one base value merge into one), so the JDK's check of the load itself, against
             * the sized segment's constant length, folds away. A base outside that range (a host that
             * broke the calling convention) fails the check, and the exception handler around the load
             * takes the checked path, which completes or faults exactly as the interpreter does.
             */
            private void provenOffset(int pc, int base, int off, int id) {
                RangeAnalysis.Facts facts = p.analysis.facts();
                long lo = facts.baseLo()[pc], hi = facts.baseHi()[pc];
                ld(base);
                code.loadConstant(-((long) id << 32) - lo);
                code.ladd();
                code.loadConstant(hi - lo + 1);
                code.invokestatic(CD_OBJECTS_UTIL, "checkIndex", MTD_JJJ);
                code.loadConstant(lo + off);
                code.ladd();
            }

            /** Converts what {@code MemorySegment.get} pushed for {@code width} bytes into a register value. */
            private void widen(int width, boolean signed) {
                switch (width) {
                    case 8 -> { }
                    case 4 -> {
                        if (signed) {
                            code.i2l();
                        } else {
                            u32();
                        }
                    }
                    case 2 -> {
                        if (!signed) {
                            code.loadConstant(0xffff);
                            code.iand();
                        }
                        code.i2l();
                    }
                    default -> {
                        if (!signed) {
                            code.loadConstant(0xff);
                            code.iand();
                        }
                        code.i2l();
                    }
                }
            }

            /** Converts a long on the stack into what {@code MemorySegment.set} takes for {@code width} bytes. */
            private void narrow(int width) {
                switch (width) {
                    case 8 -> { }
                    case 4 -> code.l2i();
                    case 2 -> {
                        code.l2i();
                        code.i2s();
                    }
                    default -> {
                        code.l2i();
                        code.i2b();
                    }
                }
            }

            /** The long on the stack as an int holding its low {@code bits} (8, 16; else 32) sign-extended. */
            private void lowBitsSigned(int bits) {
                code.l2i();
                if (bits == 8) {
                    code.i2b();
                } else if (bits == 16) {
                    code.i2s();
                }
            }

            private void segmentGet(int width) {
                code.invokeinterface(CD_SEGMENT, "get", MethodTypeDesc.of(CD_VALUE[width], CD_LAYOUT[width], CD_long));
            }

            private void segmentSet(int width) {
                code.invokeinterface(CD_SEGMENT, "set", MethodTypeDesc.of(CD_void, CD_LAYOUT[width], CD_long, CD_VALUE[width]));
            }

            private void layout(int width) {
                code.getstatic(CD_MACHINE, LAYOUT_FIELD[width], CD_LAYOUT[width]);
            }

            private String checkedName(boolean store, int width, boolean signed) {
                return (store ? "store" : "load") + width * 8 + (signed ? "s" : "");
            }

            private void load(int pc, int op, int d, int s, int off) {
                int width = widthBytes(op);
                boolean signed = mode(op) == MODE_MEMSX;
                RangeAnalysis.Facts facts = p.analysis.facts();
                byte c = facts.accessClass()[pc];
                int id = facts.accessRegion()[pc];
                long pre = prepaid;
                Integer local = s == 10 ? promoLocal.get(off) : null;
                if (local != null) {
                    code.lload(local); // zero-extended, as the slot's bytes read
                    if (signed && width < 8) {
                        lowBitsSigned(width * 8);
                        code.i2l();
                    }
                    st(d);
                    return;
                }
                Runnable checked = () -> {
                    saveCount(pre);
                    writeBack();
                    code.aload(0);
                    address(s, off);
                    code.loadConstant(pc);
                    code.invokevirtual(CD_MACHINE, checkedName(false, width, signed), MTD_LOAD);
                    st(d);
                };
                if (!promoWidth.isEmpty() && id == Addresses.STACK_ID && s != 10) {
                    c = RangeAnalysis.CHECKED; // the frame through another pointer: see the promoted slots' values
                }
                if (c == RangeAnalysis.CHECKED) {
                    checked.run();
                    return;
                }
                boolean sizedLoad = sizedLoad(pc);
                guarded(() -> {
                    code.aload((sizedLoad ? sizedSeg : readSeg).get(id));
                    layout(width);
                    if (sizedLoad) {
                        provenOffset(pc, s, off, id);
                    } else {
                        regionOffset(s, off, id);
                    }
                    segmentGet(width);
                }, () -> {
                    widen(width, signed);
                    st(d);
                }, checked);
            }

            /**
             * A proven or region-typed access: {@code access} on the region's segment, whose own bounds
             * check sends an access outside it (and a store into a read-only region's UNMAPPED, which
             * writes nothing) to {@code checked} through an exception handler; {@code then} uses what
             * {@code access} left, outside the handler's range.
             */
            private void guarded(Runnable access, Runnable then, Runnable checked) {
                Label from = code.newLabel(), to = code.newLabel(), handler = code.newLabel(), after = code.newLabel();
                code.labelBinding(from);
                access.run();
                code.labelBinding(to);
                then.run();
                code.labelBinding(after);
                code.exceptionCatch(from, to, handler, CD_IOOBE);
                outOfLine.add(() -> {
                    code.labelBinding(handler);
                    code.pop();
                    checked.run();
                    code.goto_(after);
                });
            }

            private void store(int pc, int width, int d, int off, Runnable pushValue) {
                RangeAnalysis.Facts facts = p.analysis.facts();
                byte c = facts.accessClass()[pc];
                int id = facts.accessRegion()[pc];
                long pre = prepaid;
                Integer local = d == 10 ? promoLocal.get(off) : null;
                if (local != null) {
                    pushValue.run();
                    if (width < 8) {
                        code.loadConstant(width == 4 ? 0xffffffffL : width == 2 ? 0xffffL : 0xffL);
                        code.land();
                    }
                    code.lstore(local);
                    return;
                }
                Runnable checked = () -> {
                    saveCount(pre);
                    writeBack();
                    code.aload(0);
                    address(d, off);
                    pushValue.run();
                    code.loadConstant(pc);
                    code.invokevirtual(CD_MACHINE, checkedName(true, width, false), MTD_STORE);
                    reload();
                };
                if (!promoWidth.isEmpty() && id == Addresses.STACK_ID && d != 10) {
                    c = RangeAnalysis.CHECKED; // the frame through another pointer: keep the promoted slots in step
                }
                if (c == RangeAnalysis.CHECKED) {
                    checked.run();
                    return;
                }
                guarded(() -> {
                    code.aload(writeSeg.get(id));
                    layout(width);
                    regionOffset(d, off, id);
                    pushValue.run();
                    narrow(width);
                    segmentSet(width);
                }, () -> { }, checked);
            }

            private void atomic(int pc, int op, int d, int s, int off, int imm) {
                writeBack();
                atomicAccess(pc, op, d, s, off, imm);
                reload();
            }

            private void atomicAccess(int pc, int op, int d, int s, int off, int imm) {
                boolean w64 = size(op) == SIZE_DW;
                saveCount();
                if (imm == ATOMIC_CMPXCHG) {
                    code.aload(0);
                    code.loadConstant(w64 ? 1 : 0);
                    address(d, off);
                    ld(0);
                    if (!w64) {
                        code.loadConstant(0xffffffffL);
                        code.land();
                    }
                    ld(s);
                    code.loadConstant(pc);
                    code.invokevirtual(CD_MACHINE, "compareExchange", MTD_CMPXCHG);
                    st(0);
                    return;
                }
                code.aload(0);
                code.loadConstant(imm);
                code.loadConstant(w64 ? 1 : 0);
                address(d, off);
                ld(s);
                code.loadConstant(pc);
                code.invokevirtual(CD_MACHINE, "atomic", MTD_ATOMIC);
                if ((imm & ATOMIC_FETCH) != 0) {
                    st(s);
                } else {
                    code.pop2();
                }
            }

            // ---- budget ----

            /** Jumps to {@code target}; a backward jump first checks the count (faulting at {@code pc}). */
            private void gotoChecked(int pc, int target) {
                if (target > pc) {
                    code.goto_(label(target));
                    return;
                }
                code.lload(rem);
                code.lconst_0();
                code.lcmp();
                code.iflt(budgetFault(pc));
                code.goto_(label(target));
            }

            /**
             * The label a taken conditional jump to {@code target} goes to: the target itself, or a stub
             * that gives back what was charged in advance for the fall-through chain and, for a backward
             * jump, checks the count.
             */
            private Label branchTarget(int pc, int target) {
                long giveBack = prepaid;
                if (target > pc && giveBack == 0) {
                    return label(target);
                }
                Label stub = code.newLabel();
                outOfLine.add(() -> {
                    code.labelBinding(stub);
                    if (giveBack != 0) {
                        code.lload(rem);
                        code.loadConstant(giveBack);
                        code.ladd();
                        code.lstore(rem);
                    }
                    gotoChecked(pc, target);
                });
                return stub;
            }

            private Label budgetFault(int pc) {
                Label fault = code.newLabel();
                outOfLine.add(() -> {
                    code.labelBinding(fault);
                    code.aload(0);
                    code.lload(rem);
                    code.loadConstant(pc);
                    code.invokevirtual(CD_MACHINE, "budgetFault", MTD_BUDGET);
                    code.athrow();
                });
                return fault;
            }

            private void alu64(int op, int d, int s, int off, int imm) {
                boolean x = isReg(op);
                int kind = aluOp(op);
                switch (kind) {
                    case ALU_MOV -> {
                        if (!x) {
                            code.loadConstant((long) imm);
                        } else if (off == 0) {
                            ld(s);
                        } else {
                            ld(s);
                            lowBitsSigned(off);
                            code.i2l();
                        }
                        st(d);
                        return;
                    }
                    case ALU_NEG -> {
                        ld(d);
                        code.lneg();
                        st(d);
                        return;
                    }
                    case ALU_END -> {
                        ld(d);
                        code.loadConstant(imm);
                        code.invokestatic(CD_INTERP, "bswap", MTD_LI);
                        st(d);
                        return;
                    }
                    case ALU_DIV, ALU_MOD -> {
                        ld(d);
                        if (!x && imm > 0) {
                            // A positive constant divisor: no zero case, and a non-negative dividend
                            // divides signed, which HotSpot turns into a multiply (a hardware divide is tens of cycles).
                            boolean div = kind == ALU_DIV;
                            if (off == 0) {
                                Label slow = code.newLabel(), done = code.newLabel();
                                code.dup2();
                                code.lconst_0();
                                code.lcmp();
                                code.iflt(slow);
                                code.loadConstant((long) imm);
                                if (div) code.ldiv(); else code.lrem();
                                code.goto_(done);
                                code.labelBinding(slow);
                                code.loadConstant((long) imm);
                                code.invokestatic(CD_Long, div ? "divideUnsigned" : "remainderUnsigned", MTD_JJJ);
                                code.labelBinding(done);
                            } else {
                                code.loadConstant((long) imm);
                                if (div) code.ldiv(); else code.lrem();
                            }
                            st(d);
                            return;
                        }
                        if (x) {
                            ld(s);
                        } else {
                            code.loadConstant((long) imm);
                        }
                        code.loadConstant(off);
                        code.invokestatic(CD_INTERP, kind == ALU_DIV ? "div64" : "mod64", MTD_LLI);
                        st(d);
                        return;
                    }
                    case ALU_LSH, ALU_RSH, ALU_ARSH -> {
                        ld(d);
                        if (x) {
                            ld(s);
                            code.l2i();
                        } else {
                            code.loadConstant(imm & 63);
                        }
                        switch (kind) {
                            case ALU_LSH -> code.lshl();
                            case ALU_RSH -> code.lushr();
                            default -> code.lshr();
                        }
                        st(d);
                        return;
                    }
                    default -> { }
                }
                ld(d);
                if (x) {
                    ld(s);
                } else {
                    code.loadConstant((long) imm);
                }
                switch (kind) {
                    case ALU_ADD -> code.ladd();
                    case ALU_SUB -> code.lsub();
                    case ALU_MUL -> code.lmul();
                    case ALU_OR -> code.lor();
                    case ALU_AND -> code.land();
                    default -> code.lxor();
                }
                st(d);
            }

            private void alu32(int op, int d, int s, int off, int imm) {
                boolean x = isReg(op);
                int kind = aluOp(op);
                switch (kind) {
                    case ALU_MOV -> {
                        if (!x) {
                            code.loadConstant(imm & 0xffffffffL);
                        } else {
                            ld(s);
                            lowBitsSigned(off);
                            u32();
                        }
                        st(d);
                        return;
                    }
                    case ALU_NEG -> {
                        ld(d);
                        code.l2i();
                        code.ineg();
                        u32();
                        st(d);
                        return;
                    }
                    case ALU_END -> {
                        ld(d);
                        code.loadConstant(imm);
                        code.invokestatic(CD_INTERP, x ? "bswap" : "toLe", MTD_LI);
                        st(d);
                        return;
                    }
                    case ALU_DIV, ALU_MOD -> {
                        ld(d);
                        if (!x && imm != 0) {
                            // A constant divisor: no zero case; unsigned divides as a non-negative long (a multiply in HotSpot)
                            boolean div = kind == ALU_DIV;
                            if (off == 0) {
                                code.loadConstant(0xffffffffL);
                                code.land();
                                code.loadConstant(imm & 0xffffffffL);
                                if (div) code.ldiv(); else code.lrem();
                            } else {
                                code.l2i();
                                code.loadConstant(imm);
                                if (div) code.idiv(); else code.irem();
                                u32();
                            }
                            st(d);
                            return;
                        }
                        code.l2i();
                        operand32(x, s, imm);
                        code.loadConstant(off);
                        code.invokestatic(CD_INTERP, kind == ALU_DIV ? "div32" : "mod32", MTD_III);
                        st(d);
                        return;
                    }
                    case ALU_LSH, ALU_RSH, ALU_ARSH -> {
                        ld(d);
                        code.l2i();
                        if (x) {
                            ld(s);
                            code.l2i();
                        } else {
                            code.loadConstant(imm & 31);
                        }
                        switch (kind) {
                            case ALU_LSH -> code.ishl();
                            case ALU_RSH -> code.iushr();
                            default -> code.ishr();
                        }
                        u32();
                        st(d);
                        return;
                    }
                    default -> { }
                }
                ld(d);
                code.l2i();
                operand32(x, s, imm);
                switch (kind) {
                    case ALU_ADD -> code.iadd();
                    case ALU_SUB -> code.isub();
                    case ALU_MUL -> code.imul();
                    case ALU_OR -> code.ior();
                    case ALU_AND -> code.iand();
                    default -> code.ixor();
                }
                u32();
                st(d);
            }

            private void operand32(boolean x, int s, int imm) {
                if (x) {
                    ld(s);
                    code.l2i();
                } else {
                    code.loadConstant(imm);
                }
            }


            private void jmp(int pc, int op, int d, int s, int off, int imm) {
                switch (op) {
                    case JA -> {
                        gotoChecked(pc, pc + 1 + off);
                        return;
                    }
                    case GOTOL -> {
                        gotoChecked(pc, pc + 1 + imm);
                        return;
                    }
                    case EXIT -> {
                        if (function == 0) { // the run ends: a count over budget faults here
                            code.lload(rem);
                            code.lconst_0();
                            code.lcmp();
                            code.iflt(budgetFault(pc));
                        }
                        saveCount();
                        if (function != 0) {
                            writeBack(); // what the caller (or a later call) may still read of this frame
                        }
                        if (exits == null) {
                            ld(0);
                            code.lreturn();
                        } else {
                            code.aload(1);
                            code.iconst_0();
                            ld(0);
                            code.lastore();
                            code.iconst_m1();
                            code.ireturn();
                        }
                        return;
                    }
                    case CALL -> {
                        boolean sync = true;
                        if (s == CALL_LOCAL) {
                            int callee = java.util.Arrays.binarySearch(starts, pc + 1 + imm);
                            sync = !framePrivate[callee]; // else the promoted slots stay in locals across it
                            saveCount();
                            if (sync) {
                                writeBack();
                            }
                            code.aload(0);
                            for (int r = 1; r <= 5; r++) {
                                ld(r);
                            }
                            ld(10);
                            code.loadConstant((long) Verifier.FRAME_BYTES);
                            code.lsub();
                            code.invokestatic(self, "f" + callee, MTD_FUNCTION);
                            code.aload(0);
                            code.getfield(CD_MACHINE, "remaining", CD_long);
                            if (prepaid != 0) {
                                code.loadConstant(prepaid);
                                code.lsub();
                            }
                            code.lstore(rem);
                        } else {
                            writeBack();
                            helper(pc, () -> code.loadConstant((long) imm));
                        }
                        st(0);
                        if (sync) {
                            reload();
                        }
                        return;
                    }
                    case CALLX -> {
                        writeBack();
                        helper(pc, () -> ld(d));
                        st(0);
                        reload();
                        return;
                    }
                    default -> { }
                }
                Label target = branchTarget(pc, pc + 1 + off);
                boolean x = isReg(op);
                int kind = aluOp(op);
                if (cls(op) == CLS_JMP32) {
                    boolean unsigned = kind == JMP_JGT || kind == JMP_JGE || kind == JMP_JLT || kind == JMP_JLE;
                    ld(d);
                    code.l2i();
                    operand32(x, s, imm);
                    if (unsigned) { // an intrinsic in HotSpot, and fewer bytes than flipping both signs
                        code.invokestatic(CD_Integer, "compareUnsigned", MTD_III_I);
                        switch (kind) {
                            case JMP_JGT -> code.ifgt(target);
                            case JMP_JGE -> code.ifge(target);
                            case JMP_JLT -> code.iflt(target);
                            default -> code.ifle(target);
                        }
                        return;
                    }
                    switch (kind) {
                        case JMP_JEQ -> code.if_icmpeq(target);
                        case JMP_JNE -> code.if_icmpne(target);
                        case JMP_JSET -> {
                            code.iand();
                            code.ifne(target);
                        }
                        case JMP_JGT, JMP_JSGT -> code.if_icmpgt(target);
                        case JMP_JGE, JMP_JSGE -> code.if_icmpge(target);
                        case JMP_JLT, JMP_JSLT -> code.if_icmplt(target);
                        default -> code.if_icmple(target);
                    }
                    return;
                }
                boolean unsigned = kind == JMP_JGT || kind == JMP_JGE || kind == JMP_JLT || kind == JMP_JLE;
                ld(d);
                if (x) {
                    ld(s);
                } else {
                    code.loadConstant((long) imm);
                }
                if (unsigned) {
                    code.invokestatic(CD_Long, "compareUnsigned", MTD_JJ_I);
                    switch (kind) {
                        case JMP_JGT -> code.ifgt(target);
                        case JMP_JGE -> code.ifge(target);
                        case JMP_JLT -> code.iflt(target);
                        default -> code.ifle(target);
                    }
                    return;
                }
                if (kind == JMP_JSET) {
                    code.land();
                    code.lconst_0();
                }
                code.lcmp();
                switch (kind) {
                    case JMP_JEQ -> code.ifeq(target);
                    case JMP_JNE, JMP_JSET -> code.ifne(target);
                    case JMP_JGT, JMP_JSGT -> code.ifgt(target);
                    case JMP_JGE, JMP_JSGE -> code.ifge(target);
                    case JMP_JLT, JMP_JSLT -> code.iflt(target);
                    default -> code.ifle(target);
                }
            }


            private void helper(int pc, Runnable pushId) {
                saveCount();
                code.aload(0);
                pushId.run();
                for (int r = 1; r <= 5; r++) {
                    ld(r);
                }
                code.loadConstant(pc);
                code.invokevirtual(CD_MACHINE, "callHelper", MTD_HELPER);
            }
        }
    }
}
