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
 * registers in JVM locals, memory access, helpers and budget checks calling into {@link BpfMachine}
 * (HotSpot inlines them). A function whose bytecode could exceed {@link #CHUNK_BUDGET} is split into
 * chunk methods over contiguous block ranges that pass registers through a per-frame array and
 * return the next pc to a small dispatcher, so no method passes HotSpot's 8000-byte compile limit.
 */
final class JitCompiler {
    private JitCompiler() {}

    /** What generated classes implement. */
    interface Entry {
        long run(BpfMachine machine, long r1, long r2, long r10);
    }

    /** A translated program; {@code classBytes} kept for inspection by tests and tools. */
    record Compiled(Entry entry, byte[] classBytes) {}

    /** Upper bound on the estimated bytecode of one generated method (HotSpot's limit is 8000). */
    static final int CHUNK_BUDGET = 6000;
    /** Conservative bytecode bound per instruction, per block, per out-of-chunk jump. */
    private static final int PER_INSN = 26, PER_BLOCK = 24, PER_EXIT_JUMP = 80;

    private static final ClassDesc CD_MACHINE = ClassDesc.of("io.jxrp.ebpf.BpfMachine");
    private static final ClassDesc CD_INTERP = ClassDesc.of("io.jxrp.ebpf.Interpreter");
    private static final ClassDesc CD_ENTRY = ClassDesc.of("io.jxrp.ebpf.JitCompiler$Entry");
    private static final ClassDesc CD_LONGS = CD_long.arrayType();
    private static final MethodTypeDesc MTD_LOAD = MethodTypeDesc.of(CD_long, CD_long, CD_int);
    private static final MethodTypeDesc MTD_STACK_LOAD = MethodTypeDesc.of(CD_long, CD_long);
    private static final MethodTypeDesc MTD_STACK_STORE = MethodTypeDesc.of(CD_void, CD_long, CD_long);
    private static final MethodTypeDesc MTD_STORE = MethodTypeDesc.of(CD_void, CD_long, CD_long, CD_int);
    private static final MethodTypeDesc MTD_CHARGE = MethodTypeDesc.of(CD_void, CD_int, CD_int);
    private static final MethodTypeDesc MTD_HELPER = MethodTypeDesc.of(CD_long, CD_long, CD_long, CD_long, CD_long,
            CD_long, CD_long, CD_int);
    private static final MethodTypeDesc MTD_ATOMIC = MethodTypeDesc.of(CD_long, CD_int, CD_boolean, CD_long, CD_long, CD_int);
    private static final MethodTypeDesc MTD_CMPXCHG = MethodTypeDesc.of(CD_long, CD_boolean, CD_long, CD_long, CD_long, CD_int);
    private static final MethodTypeDesc MTD_FRAME = MethodTypeDesc.of(CD_LONGS, CD_long);
    private static final MethodTypeDesc MTD_LLI = MethodTypeDesc.of(CD_long, CD_long, CD_long, CD_int);
    private static final MethodTypeDesc MTD_III = MethodTypeDesc.of(CD_long, CD_int, CD_int, CD_int);
    private static final MethodTypeDesc MTD_LI = MethodTypeDesc.of(CD_long, CD_long, CD_int);
    private static final MethodTypeDesc MTD_FUNCTION = MethodTypeDesc.of(CD_long, CD_MACHINE, CD_long, CD_long, CD_long,
            CD_long, CD_long, CD_long);
    private static final MethodTypeDesc MTD_CHUNK = MethodTypeDesc.of(CD_int, CD_MACHINE, CD_LONGS, CD_int);
    private static final MethodTypeDesc MTD_RUN = MethodTypeDesc.of(CD_long, CD_MACHINE, CD_long, CD_long, CD_long);

    /** Local slots of r0..r10 in a whole-function method (parameters m, r1..r5, r10 come first). */
    private static final int[] DIRECT_SLOTS = {13, 1, 3, 5, 7, 9, 15, 17, 19, 21, 11};
    /** Local slots of r0..r10 in a chunk method (after m, R, pc). */
    private static final int[] CHUNK_SLOTS = {3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23};

    static Compiled compile(BpfProgram p) {
        ClassDesc self = ClassDesc.of("io.jxrp.ebpf.JitProgram");
        int[] starts = p.analysis.functionStarts();
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
                int end = p.analysis.functionEnd(f, p.slots.length);
                List<int[]> chunks = partition(p, start, end);
                FunctionGen gen = new FunctionGen(p, self, f, starts);
                if (chunks.size() == 1) {
                    cb.withMethodBody("f" + f, MTD_FUNCTION, ClassFile.ACC_STATIC, code -> gen.direct(code, start, end));
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
            return new Compiled(entry, bytes);
        } catch (Throwable e) {
            throw new IllegalStateException("JIT translation of " + p.name + " failed: " + e, e);
        }
    }

    /** Cuts [start, end) at block boundaries into ranges whose estimated bytecode fits {@link #CHUNK_BUDGET}. */
    static List<int[]> partition(BpfProgram p, int start, int end) {
        int[] cost = p.analysis.blockCost();
        List<int[]> chunks = new ArrayList<>();
        int chunkStart = start;
        int estimate = 200; // prologue, register spills, entry switch
        for (int pc = start; pc < end; pc++) {
            int add = PER_INSN;
            if (cost[pc] != 0) {
                add += PER_BLOCK;
                if (estimate + blockEstimate(p, pc, end) > CHUNK_BUDGET && pc > chunkStart) {
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

    private static int blockEstimate(BpfProgram p, int leader, int end) {
        int[] cost = p.analysis.blockCost();
        int estimate = PER_BLOCK;
        for (int pc = leader; pc < end && (pc == leader || cost[pc] == 0); pc++) {
            estimate += PER_INSN;
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

        FunctionGen(BpfProgram p, ClassDesc self, int function, int[] starts) {
            this.p = p;
            this.self = self;
            this.function = function;
            this.starts = starts;
        }

        /** Whole function in one method: registers live in locals, exit returns r0. */
        void direct(CodeBuilder code, int start, int end) {
            int[] slots = DIRECT_SLOTS;
            for (int r : new int[] {0, 6, 7, 8, 9}) {
                code.lconst_0();
                code.lstore(slots[r]);
            }
            Body body = new Body(code, slots, start, end, null);
            body.emit();
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
            Body body = new Body(code, slots, start, end, new HashMap<>());
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

            Body(CodeBuilder code, int[] slots, int start, int end, Map<Integer, Label> exits) {
                this.code = code;
                this.slots = slots;
                this.start = start;
                this.end = end;
                this.exits = exits;
            }

            private Label label(int pc) {
                if (pc >= start && pc < end) {
                    return labels.computeIfAbsent(pc, k -> code.newLabel());
                }
                return exits.computeIfAbsent(pc, k -> code.newLabel());
            }

            void emit() {
                instructions();
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
            }

            private void instructions() {
                int[] cost = p.analysis.blockCost();
                for (int pc = start; pc < end; pc++) {
                    if (cost[pc] != 0) {
                        code.labelBinding(label(pc));
                        code.aload(0);
                        code.loadConstant(cost[pc]);
                        code.loadConstant(pc);
                        code.invokevirtual(CD_MACHINE, "charge", MTD_CHARGE);
                    }
                    insn(pc);
                    if (p.op[pc] == LDDW) {
                        pc++;
                    }
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
                    case CLS_LDX -> {
                        code.aload(0);
                        address(s, off);
                        String name = "oad" + widthBytes(op) * 8 + (mode(op) == MODE_MEMSX ? "s" : "");
                        if (s == 10) {
                            code.invokevirtual(CD_MACHINE, "stackL" + name, MTD_STACK_LOAD);
                        } else {
                            code.loadConstant(pc);
                            code.invokevirtual(CD_MACHINE, "l" + name, MTD_LOAD);
                        }
                        st(d);
                    }
                    case CLS_ST -> {
                        code.aload(0);
                        address(d, off);
                        code.loadConstant((long) imm);
                        store(pc, d, widthBytes(op));
                    }
                    case CLS_STX -> stx(pc, op, d, s, off, imm);
                    default -> jmp(pc, op, d, s, off, imm);
                }
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
                            code.l2i();
                            if (off == 8) {
                                code.i2b();
                            } else if (off == 16) {
                                code.i2s();
                            }
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
                            code.l2i();
                            if (off == 8) {
                                code.i2b();
                            } else if (off == 16) {
                                code.i2s();
                            }
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

            private void stx(int pc, int op, int d, int s, int off, int imm) {
                if (mode(op) == MODE_MEM) {
                    code.aload(0);
                    address(d, off);
                    ld(s);
                    store(pc, d, widthBytes(op));
                    return;
                }
                boolean w64 = size(op) == SIZE_DW;
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

            /** Stack: address, value pushed; r10-relative stores were bounds-proven by the verifier. */
            private void store(int pc, int base, int width) {
                if (base == 10) {
                    code.invokevirtual(CD_MACHINE, "stackStore" + width * 8, MTD_STACK_STORE);
                } else {
                    code.loadConstant(pc);
                    code.invokevirtual(CD_MACHINE, "store" + width * 8, MTD_STORE);
                }
            }

            private void jmp(int pc, int op, int d, int s, int off, int imm) {
                switch (op) {
                    case JA -> {
                        code.goto_(label(pc + 1 + off));
                        return;
                    }
                    case GOTOL -> {
                        code.goto_(label(pc + 1 + imm));
                        return;
                    }
                    case EXIT -> {
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
                        if (s == CALL_LOCAL) {
                            int callee = java.util.Arrays.binarySearch(starts, pc + 1 + imm);
                            code.aload(0);
                            for (int r = 1; r <= 5; r++) {
                                ld(r);
                            }
                            ld(10);
                            code.loadConstant((long) Verifier.FRAME_BYTES);
                            code.lsub();
                            code.invokestatic(self, "f" + callee, MTD_FUNCTION);
                        } else {
                            helper(pc, () -> code.loadConstant((long) imm));
                        }
                        st(0);
                        return;
                    }
                    case CALLX -> {
                        helper(pc, () -> ld(d));
                        st(0);
                        return;
                    }
                    default -> { }
                }
                Label target = label(pc + 1 + off);
                boolean x = isReg(op);
                int kind = aluOp(op);
                if (cls(op) == CLS_JMP32) {
                    boolean unsigned = kind == JMP_JGT || kind == JMP_JGE || kind == JMP_JLT || kind == JMP_JLE;
                    ld(d);
                    code.l2i();
                    if (unsigned) {
                        code.loadConstant(Integer.MIN_VALUE);
                        code.ixor();
                    }
                    operand32(x, s, imm);
                    if (unsigned) {
                        code.loadConstant(Integer.MIN_VALUE);
                        code.ixor();
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
                if (unsigned) {
                    code.loadConstant(Long.MIN_VALUE);
                    code.lxor();
                }
                if (x) {
                    ld(s);
                } else {
                    code.loadConstant((long) imm);
                }
                if (unsigned) {
                    code.loadConstant(Long.MIN_VALUE);
                    code.lxor();
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
