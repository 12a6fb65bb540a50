package io.jxrp.ebpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reusable execution context for one thread: registers, a 4 KiB stack, the region table and an
 * instruction budget. The host binds memory onto regions, writes pointers it gets from
 * {@link #address(Region)} into the context, and calls {@link #run(BpfProgram, long)}:
 *
 * <pre>{@code
 * BpfMachine vm = new BpfMachine(ExecutionMode.JIT);          // once per thread
 * vm.bind(Region.CONTEXT, ctx);  vm.bind(Region.SCRATCH, scratch);
 * ctx.set(JAVA_LONG_UNALIGNED, 272, vm.address(Region.SCRATCH));
 * // per invocation: no allocation
 * vm.bind(Region.DATA, block);
 * ctx.set(JAVA_LONG_UNALIGNED, 0, vm.address(Region.DATA));
 * long r0 = vm.run(program, vm.address(Region.CONTEXT));      // may throw BpfFault
 * }</pre>
 *
 * Not thread-safe: use one machine per thread. Programs and maps may be shared.
 */
public final class BpfMachine {
    /** Default instruction budget per run. */
    public static final long DEFAULT_BUDGET = 1_000_000;

    private static final Logger TRACE = LoggerFactory.getLogger("io.jxrp.ebpf.trace");
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    private static final VarHandle ATOMIC64 = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    private static final VarHandle ATOMIC32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

    private final ExecutionMode mode;
    private long budget;
    /** Instructions left in the current run; generated code and the interpreter decrement it per block. */
    long remaining;
    private long lastInstructions;
    /**
     * The segment of each region id, {@link #UNMAPPED} where nothing is bound (read by generated code,
     * which keeps the segments of the regions it reaches in locals); {@code writable} has
     * {@link #UNMAPPED} for read-only regions too. Only {@link MemorySegment}s are stored here, but the
     * arrays are {@code Object[]}: a store into an array of an interface type is type-checked through the
     * class's secondary supers on every {@link #bind} (the host binds a new block every run), a store
     * into {@code Object[]} is not, and each read's cast costs nothing extra (the access after it
     * needed the same class check). A program that only returns took 21.4-23.2 ns a run in the JIT and
     * 28.4-30.7 in the interpreter through {@code FunctionRunner} before, 19.4-20.6 and 22.2-26.7 after
     * (fastest batches, pinned, three rounds).
     */
    Object[] readable = new Object[Addresses.FIRST_MAP_ID + 8];
    Object[] writable = new Object[Addresses.FIRST_MAP_ID + 8];
    /** Stands for "no segment": zero bytes long, so every access to it is out of bounds. */
    static final MemorySegment UNMAPPED = Arena.global().allocate(8, 8).asSlice(0, 0);
    private BpfProgram installed;
    final MemorySegment stack;
    /**
     * Stack offsets from here up were zeroed for this run (but for the JIT's main-function slots kept
     * in locals, which are written back before anything else can read them); below, down to the
     * installed program's frames, they still hold what an earlier run left until a checked access
     * reaches them (fast paths never go below: see {@link RangeAnalysis.Facts#stackZeroFrom()}).
     */
    private int stackZeroedFrom;
    /** For the installed program: where its fast paths' stack starts, and the slices zeroed before a run and lazily. */
    private int stackZeroFrom;
    private MemorySegment stackZeroSlice, stackLazySlice;
    /** The translation whose {@link JitCompiler.Compiled#zeroFrom} range {@code jitZeroSlice} is. */
    private JitCompiler.Compiled zeroSliceOf;
    private MemorySegment jitZeroSlice;
    private long random = 0x9E3779B97F4A7C15L;
    /** Interpreter state, kept here so runs do not allocate: r0..r10 in 16 longs, so a 4-bit register number is in bounds. */
    final long[] regs = new long[16];
    final long[] saved = new long[Verifier.MAX_FRAMES * 11];
    /** Register files of JIT functions split into several methods, one per frame depth. */
    private final long[][] jitFrames = new long[Verifier.MAX_FRAMES][11];

    /** A machine with the {@link #DEFAULT_BUDGET default budget}. */
    public BpfMachine(ExecutionMode mode) {
        this(mode, DEFAULT_BUDGET);
    }

    /** A machine whose runs stop with a {@link BpfFault.Kind#BUDGET} fault after {@code instructionBudget} instructions. */
    public BpfMachine(ExecutionMode mode, long instructionBudget) {
        this.mode = Objects.requireNonNull(mode);
        setInstructionBudget(instructionBudget);
        // Confined to its creator's lifetime via the GC; a machine is owned by one thread.
        this.stack = Arena.ofAuto().allocate(Addresses.STACK_BYTES, 8);
        java.util.Arrays.fill(readable, UNMAPPED);
        java.util.Arrays.fill(writable, UNMAPPED);
        readable[Addresses.STACK_ID] = stack;
        writable[Addresses.STACK_ID] = stack;
    }

    public ExecutionMode mode() { return mode; }

    public long instructionBudget() { return budget; }

    public void setInstructionBudget(long instructionBudget) {
        if (instructionBudget <= 0) {
            throw new IllegalArgumentException("instruction budget must be positive: " + instructionBudget);
        }
        this.budget = instructionBudget;
    }

    /** Instructions the last run executed (counted per basic block entered). */
    public long lastInstructionCount() { return lastInstructions; }

    /**
     * Makes {@code segment} visible to programs at {@link #address(Region)}. Read-only segments
     * fault on store. Rebinding replaces the previous segment; it does not allocate. The segment must
     * stay alive and be accessible from the thread that runs programs (a confined arena's owner);
     * otherwise the JDK's own exception (IllegalStateException, WrongThreadException) leaves {@code run}.
     *
     * @throws IllegalArgumentException if the segment is larger than 4 GiB
     */
    public void bind(Region region, MemorySegment segment) {
        int id = region.id;
        if (readable[id] == segment) {
            return; // hosts rebind the same context and scratch on every run: no stores (and GC barriers) then
        }
        if (segment.byteSize() > 0xffffffffL) {
            throw new IllegalArgumentException("region " + region + " larger than 4 GiB: " + segment.byteSize());
        }
        readable[id] = segment;
        writable[id] = segment.isReadOnly() ? UNMAPPED : segment;
    }

    /** Removes a binding; accesses to the region fault afterwards. */
    public void unbind(Region region) {
        readable[region.id] = UNMAPPED;
        writable[region.id] = UNMAPPED;
    }

    /** The virtual address at which programs see byte 0 of the region (constant per region). */
    public long address(Region region) {
        return (long) region.id << 32;
    }

    /**
     * Runs {@code program} from its first instruction with r1 = {@code r1} (other registers zero,
     * r10 = top of a zeroed stack frame) and returns r0.
     *
     * @throws BpfFault if the program accesses memory outside bound regions, exhausts the budget or
     *         misuses a helper; the machine stays usable
     */
    public long run(BpfProgram program, long r1) {
        return run(program, r1, 0);
    }

    /** Like {@link #run(BpfProgram, long)} with r2 set too (memory length, in the conformance-suite convention). */
    public long run(BpfProgram program, long r1, long r2) {
        install(program);
        remaining = budget;
        try {
            if (mode == ExecutionMode.JIT) {
                JitCompiler.Compiled c = translation(program);
                zeroStack(c);
                return c.entry().run(this, r1, r2, Addresses.STACK_TOP);
            }
            zeroStack();
            return Interpreter.run(this, program, r1, r2);
        } finally {
            lastInstructions = budget - Math.max(remaining, 0);
        }
    }

    /**
     * The program's translation for this run: the sized one ({@link JitCompiler.Compiled#needs}) when
     * the bound context, data and scratch have at least the bytes it cuts them to, else the one without.
     */
    private JitCompiler.Compiled translation(BpfProgram program) {
        JitCompiler.Compiled c = program.jit();
        long[] needs = c.needs();
        if (needs != null && (boundBytes(CONTEXT_ID) < needs[CONTEXT_ID] || boundBytes(DATA_ID) < needs[DATA_ID]
                || boundBytes(SCRATCH_ID) < needs[SCRATCH_ID])) {
            return program.jitUnsized();
        }
        return c;
    }

    /** The host regions' ids as constants C2 folds (an enum's instance field is not one). */
    private static final int CONTEXT_ID = Region.CONTEXT.id, DATA_ID = Region.DATA.id, SCRATCH_ID = Region.SCRATCH.id;

    private long boundBytes(int id) {
        return ((MemorySegment) readable[id]).byteSize();
    }

    private void install(BpfProgram program) {
        if (program == installed) {
            return;
        }
        BpfMap[] maps = program.maps;
        int needed = Addresses.FIRST_MAP_ID + maps.length;
        if (readable.length < needed) {
            readable = java.util.Arrays.copyOf(readable, needed);
            writable = java.util.Arrays.copyOf(writable, needed);
        }
        for (int i = Addresses.FIRST_MAP_ID; i < readable.length; i++) {
            readable[i] = UNMAPPED;
            writable[i] = UNMAPPED;
        }
        for (int i = 0; i < maps.length; i++) {
            readable[Addresses.FIRST_MAP_ID + i] = maps[i].values;
            writable[Addresses.FIRST_MAP_ID + i] = maps[i].readOnlyForPrograms() ? UNMAPPED : maps[i].values;
        }
        int framesFrom = program.framesFrom();
        stackZeroFrom = program.stackZeroFrom();
        stackZeroSlice = stack.asSlice(stackZeroFrom);
        stackLazySlice = stack.asSlice(framesFrom, stackZeroFrom - framesFrom);
        installed = program;
    }

    /**
     * Zeroes the stack bytes a run's fast paths can reach ({@code [from, top)}); the rest of the
     * program's frames is zeroed when a checked access first goes below {@code from}. Either way a
     * program never sees what an earlier run left in its frames. {@code fill} at any size: on JDK 25
     * it is a few unchecked stores below 32 bytes and HotSpot's {@code setMemory} stub above, where
     * a loop of {@code set} calls over a length C2 does not know compiled to pre-, main and post-loops
     * with their set-up (BPF-KV's {@code xrp/get} zeroes 72 bytes: 62 instead of 68 ns a leaf hop).
     */
    private void zeroStack() {
        int from = stackZeroFrom;
        stackZeroSlice.fill((byte) 0);
        stackZeroedFrom = from;
    }

    /**
     * {@link #zeroStack()} for a run of translation {@code c}: only {@code [c.zeroFrom, c.zeroTo)} of
     * the bytes from {@link #stackZeroFrom} up, the others being frame slots of the main function
     * that the translation keeps in JVM locals, which start at 0 and reach memory (written back)
     * before anything can read them there. For BPF-KV's {@code xrp/get}: 4 bytes of 64.
     */
    private void zeroStack(JitCompiler.Compiled c) {
        if (c != zeroSliceOf) {
            jitZeroSlice = stack.asSlice(c.zeroFrom(), c.zeroTo() - c.zeroFrom());
            zeroSliceOf = c;
        }
        jitZeroSlice.fill((byte) 0);
        stackZeroedFrom = stackZeroFrom;
    }

    /** A checked access reached stack offset {@code offset}: zero the rest of the frames first if needed. */
    private void touchStack(long offset) {
        if (offset < stackZeroedFrom) {
            stackLazySlice.fill((byte) 0);
            stackZeroedFrom = 0;
        }
    }

    // ---- memory access, shared by the interpreter and generated code ----

    // Hot paths stay tiny so HotSpot inlines them into generated code; fault construction is out of line.

    /** The readable segment holding [addr, addr + width), or null. */
    private MemorySegment readableAt(long addr, int width) {
        int id = (int) (addr >>> 32);
        Object[] table = readable;
        if (id > 0 && id < table.length) {
            MemorySegment seg = (MemorySegment) table[id];
            long off = addr & 0xffffffffL;
            if (off <= seg.byteSize() - width) {
                if (id == Addresses.STACK_ID) {
                    touchStack(off);
                }
                return seg;
            }
        }
        return null;
    }

    /** The writable segment holding [addr, addr + width), or null. */
    private MemorySegment writableAt(long addr, int width) {
        int id = (int) (addr >>> 32);
        Object[] table = writable;
        if (id > 0 && id < table.length) {
            MemorySegment seg = (MemorySegment) table[id];
            long off = addr & 0xffffffffL;
            if (off <= seg.byteSize() - width) {
                if (id == Addresses.STACK_ID) {
                    touchStack(off);
                }
                return seg;
            }
        }
        return null;
    }

    private MemorySegment segmentForLoad(long addr, int width, int pc) {
        MemorySegment seg = readableAt(addr, width);
        if (seg == null) {
            throw accessFault(false, addr, width, pc);
        }
        return seg;
    }

    private MemorySegment segmentForStore(long addr, int width, int pc) {
        MemorySegment seg = writableAt(addr, width);
        if (seg == null) {
            throw accessFault(true, addr, width, pc);
        }
        return seg;
    }

    /** How far below a region's base an address still counts as "before the start" of it in a fault message. */
    private static final long NEAR_BELOW = 1L << 20;

    private BpfFault accessFault(boolean store, long addr, int width, int pc) {
        int id = Addresses.regionId(addr);
        long offset = Addresses.offsetOf(addr);
        String what = (store ? "store of " : "load of ") + width + " B at 0x" + Long.toHexString(addr);
        // base - n carries the id of the region below it: name the region the program was pointing into
        int above = id + 1;
        if ((1L << 32) - offset <= NEAR_BELOW && above > 0 && above < readable.length && readable[above] != UNMAPPED) {
            return fault(BpfFault.Kind.MEMORY, pc, what + ": " + ((1L << 32) - offset) + " B before the start of "
                    + regionName(above) + " (" + ((MemorySegment) readable[above]).byteSize() + " B)");
        }
        MemorySegment seg = id > 0 && id < readable.length ? (MemorySegment) readable[id] : UNMAPPED;
        if (seg == UNMAPPED) {
            return fault(BpfFault.Kind.MEMORY, pc, what + ": unmapped address");
        }
        if (store && writable[id] == UNMAPPED) {
            return fault(BpfFault.Kind.MEMORY, pc, what + " to read-only " + regionName(id));
        }
        return fault(BpfFault.Kind.MEMORY, pc, what + " outside " + regionName(id) + " (" + seg.byteSize() + " B): "
                + (offset >= seg.byteSize() ? (offset - seg.byteSize()) + " B past its end" : "runs past its end"));
    }

    long load8(long addr, int pc) {
        MemorySegment seg = readableAt(addr, 1);
        if (seg == null) {
            throw accessFault(false, addr, 1, pc);
        }
        return seg.get(U8, addr & 0xffffffffL) & 0xffL;
    }

    long load16(long addr, int pc) {
        MemorySegment seg = readableAt(addr, 2);
        if (seg == null) {
            throw accessFault(false, addr, 2, pc);
        }
        return seg.get(U16, addr & 0xffffffffL) & 0xffffL;
    }

    long load32(long addr, int pc) {
        MemorySegment seg = readableAt(addr, 4);
        if (seg == null) {
            throw accessFault(false, addr, 4, pc);
        }
        return seg.get(U32, addr & 0xffffffffL) & 0xffffffffL;
    }

    long load64(long addr, int pc) {
        MemorySegment seg = readableAt(addr, 8);
        if (seg == null) {
            throw accessFault(false, addr, 8, pc);
        }
        return seg.get(U64, addr & 0xffffffffL);
    }

    long load8s(long addr, int pc) {
        MemorySegment seg = readableAt(addr, 1);
        if (seg == null) {
            throw accessFault(false, addr, 1, pc);
        }
        return seg.get(U8, addr & 0xffffffffL);
    }

    long load16s(long addr, int pc) {
        MemorySegment seg = readableAt(addr, 2);
        if (seg == null) {
            throw accessFault(false, addr, 2, pc);
        }
        return seg.get(U16, addr & 0xffffffffL);
    }

    long load32s(long addr, int pc) {
        MemorySegment seg = readableAt(addr, 4);
        if (seg == null) {
            throw accessFault(false, addr, 4, pc);
        }
        return seg.get(U32, addr & 0xffffffffL);
    }

    void store8(long addr, long value, int pc) {
        MemorySegment seg = writableAt(addr, 1);
        if (seg == null) {
            throw accessFault(true, addr, 1, pc);
        }
        seg.set(U8, addr & 0xffffffffL, (byte) value);
    }

    void store16(long addr, long value, int pc) {
        MemorySegment seg = writableAt(addr, 2);
        if (seg == null) {
            throw accessFault(true, addr, 2, pc);
        }
        seg.set(U16, addr & 0xffffffffL, (short) value);
    }

    void store32(long addr, long value, int pc) {
        MemorySegment seg = writableAt(addr, 4);
        if (seg == null) {
            throw accessFault(true, addr, 4, pc);
        }
        seg.set(U32, addr & 0xffffffffL, (int) value);
    }

    void store64(long addr, long value, int pc) {
        MemorySegment seg = writableAt(addr, 8);
        if (seg == null) {
            throw accessFault(true, addr, 8, pc);
        }
        seg.set(U64, addr & 0xffffffffL, value);
    }


    /**
     * Atomic read-modify-write; returns the old value (zero-extended for 32 bits). Atomic with
     * respect to other threads on aligned native memory; plain read-modify-write elsewhere
     * (heap-backed regions, misaligned addresses), which a single machine cannot tell apart.
     */
    long atomic(int operation, boolean wide, long addr, long operand, int pc) {
        int width = wide ? 8 : 4;
        MemorySegment seg = segmentForStore(addr, width, pc);
        segmentForLoad(addr, width, pc);
        long off = Addresses.offsetOf(addr);
        boolean lockFree = seg.isNative() && ((seg.address() + off) & (width - 1)) == 0;
        int base = operation & ~Opcodes.ATOMIC_FETCH;
        if (wide) {
            if (lockFree) {
                return switch (operation) {
                    case Opcodes.ATOMIC_XCHG -> (long) ATOMIC64.getAndSet(seg, off, operand);
                    default -> switch (base) {
                        case Opcodes.ATOMIC_ADD -> (long) ATOMIC64.getAndAdd(seg, off, operand);
                        case Opcodes.ATOMIC_OR -> (long) ATOMIC64.getAndBitwiseOr(seg, off, operand);
                        case Opcodes.ATOMIC_AND -> (long) ATOMIC64.getAndBitwiseAnd(seg, off, operand);
                        default -> (long) ATOMIC64.getAndBitwiseXor(seg, off, operand);
                    };
                };
            }
            long old = seg.get(U64, off);
            seg.set(U64, off, combine(operation, base, old, operand));
            return old;
        }
        int v = (int) operand;
        if (lockFree) {
            int old = switch (operation) {
                case Opcodes.ATOMIC_XCHG -> (int) ATOMIC32.getAndSet(seg, off, v);
                default -> switch (base) {
                    case Opcodes.ATOMIC_ADD -> (int) ATOMIC32.getAndAdd(seg, off, v);
                    case Opcodes.ATOMIC_OR -> (int) ATOMIC32.getAndBitwiseOr(seg, off, v);
                    case Opcodes.ATOMIC_AND -> (int) ATOMIC32.getAndBitwiseAnd(seg, off, v);
                    default -> (int) ATOMIC32.getAndBitwiseXor(seg, off, v);
                };
            };
            return old & 0xffffffffL;
        }
        int old = seg.get(U32, off);
        seg.set(U32, off, (int) combine(operation, base, old, v));
        return old & 0xffffffffL;
    }

    private static long combine(int operation, int base, long old, long operand) {
        if (operation == Opcodes.ATOMIC_XCHG) {
            return operand;
        }
        return switch (base) {
            case Opcodes.ATOMIC_ADD -> old + operand;
            case Opcodes.ATOMIC_OR -> old | operand;
            case Opcodes.ATOMIC_AND -> old & operand;
            default -> old ^ operand;
        };
    }

    /** cmpxchg: if memory equals {@code expected} store {@code replacement}; returns the old value (r0). */
    long compareExchange(boolean wide, long addr, long expected, long replacement, int pc) {
        int width = wide ? 8 : 4;
        MemorySegment seg = segmentForStore(addr, width, pc);
        segmentForLoad(addr, width, pc);
        long off = Addresses.offsetOf(addr);
        boolean lockFree = seg.isNative() && ((seg.address() + off) & (width - 1)) == 0;
        if (wide) {
            if (lockFree) {
                return (long) ATOMIC64.compareAndExchange(seg, off, expected, replacement);
            }
            long old = seg.get(U64, off);
            if (old == expected) {
                seg.set(U64, off, replacement);
            }
            return old;
        }
        if (lockFree) {
            return ((int) ATOMIC32.compareAndExchange(seg, off, (int) expected, (int) replacement)) & 0xffffffffL;
        }
        int old = seg.get(U32, off);
        if (old == (int) expected) {
            seg.set(U32, off, (int) replacement);
        }
        return old & 0xffffffffL;
    }

    /**
     * The budget ran out: the count, kept in {@code remaining} by the caller, went below zero at a
     * check point (a backward jump or the final exit).
     */
    BpfFault budgetFault(long remaining, int pc) {
        this.remaining = remaining;
        return fault(BpfFault.Kind.BUDGET, pc, "instruction budget of " + budget + " exhausted");
    }

    /** The register file for the frame whose r10 is {@code frameTop} (JIT, split functions). */
    long[] jitFrame(long frameTop) {
        return jitFrames[(int) ((Addresses.STACK_TOP - frameTop) >>> 9)];
    }

    // ---- helpers ----

    /** Calls helper {@code id}; r1..r5 are its arguments, the result is r0. */
    long callHelper(long id, long r1, long r2, long r3, long r4, long r5, int pc) {
        switch ((int) id == id ? (int) id : -1) {
            case Helpers.MAP_LOOKUP_ELEM -> {
                int index = mapIndex(r1, pc);
                BpfMap map = installed.maps[index];
                long off = map.lookupOffset(segmentForLoad(r2, map.keySize(), pc), Addresses.offsetOf(r2));
                return off < 0 ? 0 : Addresses.mapBase(index) + off;
            }
            case Helpers.MAP_UPDATE_ELEM -> {
                BpfMap map = installed.maps[mapIndex(r1, pc)];
                if (map.readOnlyForPrograms()) {
                    return BpfMap.EINVAL;
                }
                MemorySegment key = segmentForLoad(r2, map.keySize(), pc);
                MemorySegment value = segmentForLoad(r3, map.valueSize(), pc);
                return map.update(key, Addresses.offsetOf(r2), value, Addresses.offsetOf(r3), r4);
            }
            case Helpers.MAP_DELETE_ELEM -> {
                BpfMap map = installed.maps[mapIndex(r1, pc)];
                return map.delete(segmentForLoad(r2, map.keySize(), pc), Addresses.offsetOf(r2));
            }
            case Helpers.KTIME_GET_NS -> {
                return System.nanoTime();
            }
            case Helpers.TRACE_PRINTK -> {
                return tracePrintk(r1, r2, r3, r4, r5, pc);
            }
            case Helpers.GET_PRANDOM_U32 -> {
                random ^= random << 13;
                random ^= random >>> 7;
                random ^= random << 17;
                return random & 0xffffffffL;
            }
            case Helpers.GET_SMP_PROCESSOR_ID -> {
                return 0;
            }
            default -> throw fault(BpfFault.Kind.HELPER, pc, "unknown helper id " + id);
        }
    }

    private int mapIndex(long handle, int pc) {
        long index = Addresses.regionId(handle) - (long) Addresses.MAP_HANDLE_BASE;
        if (Addresses.offsetOf(handle) != 0 || index < 0 || index >= installed.maps.length) {
            throw fault(BpfFault.Kind.HELPER, pc, "0x" + Long.toHexString(handle) + " is not a map");
        }
        return (int) index;
    }

    private long tracePrintk(long fmtAddr, long fmtSize, long a1, long a2, long a3, int pc) {
        if (fmtSize <= 0 || fmtSize > 1024) {
            throw fault(BpfFault.Kind.HELPER, pc, "bpf_trace_printk format size " + fmtSize + " outside 1..1024");
        }
        MemorySegment seg = segmentForLoad(fmtAddr, (int) fmtSize, pc);
        long base = Addresses.offsetOf(fmtAddr);
        StringBuilder out = new StringBuilder();
        long[] args = {a1, a2, a3};
        int next = 0;
        for (int i = 0; i < fmtSize; i++) {
            char c = (char) (seg.get(U8, base + i) & 0xff);
            if (c == 0) {
                break;
            }
            if (c != '%' || i + 1 >= fmtSize) {
                out.append(c);
                continue;
            }
            int j = i + 1;
            while (j < fmtSize && (seg.get(U8, base + j) == 'l' || seg.get(U8, base + j) == 'h')) {
                j++;
            }
            char conv = j < fmtSize ? (char) (seg.get(U8, base + j) & 0xff) : '%';
            long arg = next < args.length ? args[next] : 0;
            switch (conv) {
                case 'd', 'i' -> { out.append(j - i > 1 ? arg : (int) arg); next++; }
                case 'u' -> { out.append(j - i > 1 ? Long.toUnsignedString(arg) : Integer.toUnsignedString((int) arg)); next++; }
                case 'x' -> { out.append(j - i > 1 ? Long.toHexString(arg) : Integer.toHexString((int) arg)); next++; }
                case 'p' -> { out.append("0x").append(Long.toHexString(arg)); next++; }
                case 'c' -> { out.append((char) (arg & 0xff)); next++; }
                case '%' -> out.append('%');
                default -> out.append('%').append(conv);
            }
            i = j;
        }
        TRACE.info("{}: {}", installed.name, out);
        return out.length();
    }

    // ---- faults ----

    BpfFault fault(BpfFault.Kind kind, int pc, String reason) {
        String insn = installed == null ? "?" : Disassembler.disassemble(installed.slots, pc);
        return new BpfFault(kind, pc, insn, reason);
    }

    private String regionName(int id) {
        return switch (id) {
            case 1 -> "CONTEXT";
            case 2 -> "DATA";
            case 3 -> "SCRATCH";
            case Addresses.STACK_ID -> "stack";
            default -> installed != null && id - Addresses.FIRST_MAP_ID < installed.maps.length
                    ? "map " + installed.maps[id - Addresses.FIRST_MAP_ID].name() : "region " + id;
        };
    }
}
