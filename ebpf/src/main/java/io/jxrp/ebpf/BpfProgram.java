package io.jxrp.ebpf;

import static io.jxrp.ebpf.Opcodes.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * A linked, verified program: its instructions, the maps it references (by index, as lddw pseudo
 * loads and helper arguments see them) and the control-flow facts both execution modes use.
 * Immutable and shareable between threads; the JIT translation is made once, on first JIT run or
 * on {@link #compile()}.
 */
public final class BpfProgram {
    final String name;
    final long[] slots;
    final BpfMap[] maps;
    final Verifier.Analysis analysis;
    // Decoded fields, indexed by pc (for the interpreter and the JIT).
    final int[] op, dst, src, off, imm;
    /** For lddw at pc: the constant loaded, with map pseudo loads resolved to virtual addresses. */
    final long[] wide;
    /** The interpreter's pre-decoded instructions ({@link Interpreter#decode}). */
    final long[] code;
    /** For the interpreter: instructions after each one to the end of its block ({@link Interpreter#tails}). */
    final int[] tail;
    private volatile JitCompiler.Compiled compiled;
    /** The translation without sized segments, for hosts that bind less than the proofs assume; made when first needed. */
    private volatile JitCompiler.Compiled unsized;
    /** Larger programs would overflow class-file limits anyway; they run in the interpreter. */
    private static final int MAX_JIT_SLOTS = 100_000;

    private BpfProgram(String name, long[] slots, List<BpfMap> maps, Verifier.Analysis analysis) {
        this.name = name;
        this.slots = slots;
        this.maps = maps.toArray(new BpfMap[0]);
        this.analysis = analysis;
        int n = slots.length;
        op = new int[n];
        dst = new int[n];
        src = new int[n];
        off = new int[n];
        imm = new int[n];
        wide = new long[n];
        for (int pc = 0; pc < n; pc++) {
            long s = slots[pc];
            op[pc] = opcode(s);
            dst[pc] = Opcodes.dst(s);
            src[pc] = Opcodes.src(s);
            off[pc] = offset(s);
            imm[pc] = Opcodes.imm(s);
            if (op[pc] == LDDW) {
                long next = slots[pc + 1];
                wide[pc] = switch (src[pc]) {
                    case PSEUDO_MAP_FD -> Addresses.mapHandle(imm[pc]);
                    case PSEUDO_MAP_VALUE -> Addresses.mapBase(imm[pc]) + Integer.toUnsignedLong(Opcodes.imm(next));
                    default -> (imm[pc] & 0xffffffffL) | ((long) Opcodes.imm(next) << 32);
                };
                pc++;
            }
        }
        code = Interpreter.decode(this);
        tail = Interpreter.tails(this);
    }

    /**
     * Verifies and wraps linked instructions.
     *
     * @param slots one little-endian 64-bit value per instruction slot (see {@link Opcodes#encode})
     * @param maps the maps lddw pseudo loads refer to by index ({@code src=1}: map, {@code src=2}: value)
     * @throws BpfLoadException if the verifier rejects the program
     */
    public static BpfProgram create(String name, long[] slots, List<BpfMap> maps) throws BpfLoadException {
        return create(name, slots, maps, ProgramType.GENERIC);
    }

    /**
     * Like {@link #create(String, long[], List)} for a program of a known type (what r1 points at),
     * which lets the verifier prove more of its accesses; results are the same either way.
     */
    public static BpfProgram create(String name, long[] slots, List<BpfMap> maps, ProgramType type) throws BpfLoadException {
        long[] copy = slots.clone();
        Verifier.Analysis analysis = Verifier.verify(name, copy, maps, java.util.Objects.requireNonNull(type, "type"));
        return new BpfProgram(name, copy, maps, analysis);
    }

    /** Like {@link #create} from raw bytecode (a multiple of 8 bytes, little-endian). */
    public static BpfProgram fromBytes(String name, byte[] code, List<BpfMap> maps) throws BpfLoadException {
        if (code.length % INSN_SIZE != 0) {
            throw new BpfLoadException(name + ": code length " + code.length + " is not a multiple of 8");
        }
        long[] s = new long[code.length / INSN_SIZE];
        ByteBuffer.wrap(code).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(s);
        return create(name, s, maps);
    }

    public String name() { return name; }

    /** Instruction slots (lddw counts two). */
    public int slotCount() { return slots.length; }

    /** A copy of the instruction slots. */
    public long[] slots() { return slots.clone(); }

    /** The maps this program references, in index order. */
    public List<BpfMap> maps() { return List.of(maps); }

    /** Frames (512 B each) the deepest call chain needs. */
    public int maxFrames() { return analysis.maxFrames(); }

    public ProgramType type() { return analysis.type(); }

    /**
     * What the verifier proved about the memory accesses: how many are direct (region and bounds
     * proven), how many need one compare (region known), how many the full region lookup.
     */
    public AccessSummary accessSummary() {
        RangeAnalysis.Facts f = analysis.facts();
        return new AccessSummary(f.count(RangeAnalysis.PROVEN), f.count(RangeAnalysis.TYPED),
                f.count(RangeAnalysis.CHECKED) - nonAccesses(), f.complete());
    }

    /** Counts of a program's loads and stores by what the verifier proved about them. */
    public record AccessSummary(int proven, int regionOnly, int checked, boolean analysisComplete) {
        @Override
        public String toString() {
            return proven + " proven in bounds, " + regionOnly + " region known, " + checked + " checked"
                    + (analysisComplete ? "" : " (analysis gave up: program too complex)");
        }
    }

    private int nonAccesses() {
        int n = 0;
        for (int pc = 0; pc < slots.length; pc++) {
            int c = cls(op[pc]);
            boolean access = c == CLS_LDX || c == CLS_ST || c == CLS_STX;
            n += access && !(pc > 0 && op[pc - 1] == LDDW) ? 0 : 1;
        }
        return n;
    }

    /** A listing of the whole program. */
    public String disassemble() { return Disassembler.listing(slots); }

    /**
     * Translates the program for {@link ExecutionMode#JIT} now rather than on its first JIT run. (A
     * host that binds a context, data or scratch smaller than the program's proven loads reach gets a
     * second translation on its first such run: see the ebpf README, Sized segments.)
     */
    public void compile() {
        jit();
    }

    JitCompiler.Compiled jit() {
        JitCompiler.Compiled c = compiled;
        if (c == null) {
            synchronized (this) {
                c = compiled;
                if (c == null) {
                    compiled = c = compileOrInterpret(true);
                }
            }
        }
        return c;
    }

    /** Whether {@link #jitUnsized()} had to translate the program a second time. */
    boolean translatedUnsized() {
        return unsized != null;
    }

    /** {@link #jit()}, or where that one is sized ({@link JitCompiler.Compiled#needs}) the translation without. */
    JitCompiler.Compiled jitUnsized() {
        JitCompiler.Compiled c = jit();
        if (c.needs() == null) {
            return c;
        }
        JitCompiler.Compiled u = unsized;
        if (u == null) {
            synchronized (this) {
                u = unsized;
                if (u == null) {
                    LoggerHolder.LOG.debug("{}: a bound region is smaller than its proofs assume: translating it without sized segments", name);
                    unsized = u = compileOrInterpret(false);
                }
            }
        }
        return u;
    }

    /**
     * A program the JIT cannot translate (a class-file limit, such as the constant pool of a
     * program with hundreds of thousands of instructions) still runs, in the interpreter, with
     * identical results.
     */
    private JitCompiler.Compiled compileOrInterpret(boolean sized) {
        try {
            if (slots.length > MAX_JIT_SLOTS) {
                throw new IllegalStateException(slots.length + " slots exceed the JIT limit of " + MAX_JIT_SLOTS);
            }
            return JitCompiler.compile(this, sized);
        } catch (RuntimeException e) {
            LoggerHolder.LOG.warn("{}: JIT translation failed, running it in the interpreter: {}", name, e.toString());
            return JitCompiler.Compiled.interpreted((machine, r1, r2, r10) -> Interpreter.run(machine, this, r1, r2), this);
        }
    }

    /** Where this program's frames start in the stack region: {@code maxFrames} frames below its top. */
    int framesFrom() {
        return Addresses.STACK_BYTES - analysis.maxFrames() * Verifier.FRAME_BYTES;
    }

    /**
     * The lowest stack offset a run's fast paths can touch ({@link RangeAnalysis.Facts#stackZeroFrom()},
     * 8-aligned, inside the frames): the machine zeroes the stack from here up before a run (the JIT
     * leaves out what {@link JitCompiler.Compiled#zeroFrom} says it does not need) and below only when
     * a checked access goes there.
     */
    int stackZeroFrom() {
        return Math.max(framesFrom(), analysis.facts().stackZeroFrom() & ~7);
    }

    private static final class LoggerHolder {
        static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BpfProgram.class);
    }

    @Override
    public String toString() {
        return "program " + name + " (" + slots.length + " slots, " + maps.length + " maps)";
    }
}
