package io.jxrp.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The verifier's facts change speed, never results. Random storage functions mix accesses the
 * verifier proves in bounds (constant and masked offsets into context, data, scratch, stack and a
 * map value), accesses whose region alone it knows (pointers walked in loops, offsets read from
 * memory), and accesses it cannot place (forged pointers); data and scratch are bound at random
 * sizes, some smaller than the proofs assume, so "proven" accesses run off their region too. Each
 * program runs as an XRP program in the interpreter and the JIT and, as the reference, verified as
 * a GENERIC program (nothing assumed: every host-region access checked) in the interpreter; r0 or
 * the fault, the instruction count and every byte of context, data, scratch and map must agree.
 * Seeded: re-run with -Djxrp.seed=N.
 */
class ProvenAccessDifferentialTest {
    private static final int PROGRAMS = 300;
    private static final String[] WIDTHS = {"b", "h", "w", "dw"};
    private static final String[] ALU = {"add", "sub", "mul", "or", "and", "lsh", "rsh", "xor", "mov"};

    /** Base registers: r6 data, r7 scratch, r8 context, r10 stack; r0-r5 and r9 are scratch registers. */
    private static final String[] SCALARS = {"r0", "r1", "r2", "r3", "r4", "r5", "r9"};

    static String generate(Random r, int units) {
        StringBuilder sb = new StringBuilder();
        sb.append("ldxdw r6, [r1+0]\nldxdw r7, [r1+272]\nmov r8, r1\n");
        for (String s : SCALARS) {
            sb.append("mov ").append(s).append(", ").append(r.nextInt(64)).append('\n');
        }
        for (int i = 0; i < units; i++) {
            sb.append("u").append(i).append(":\n").append(unit(r, i, units)).append('\n');
        }
        sb.append("u").append(units).append(":\n");
        for (String s : SCALARS) {
            sb.append("mul r0, 1000003\nxor r0, ").append(s).append('\n');
        }
        return sb.append("exit\n").toString();
    }

    private static String scalar(Random r) {
        return SCALARS[r.nextInt(SCALARS.length)];
    }

    private static String base(Random r) {
        return new String[] {"r6", "r7", "r8", "r10"}[r.nextInt(4)];
    }

    /** An offset for an access of {@code size} bytes at base {@code b}: mostly inside what the proofs assume. */
    private static int offset(Random r, String b, int size) {
        int room = switch (b) {
            case "r6" -> 512;
            case "r7" -> 4096;
            case "r8" -> ProgramType.XRP_CONTEXT_BYTES;
            default -> 512;
        };
        int off = r.nextInt(40) == 0 ? room - size + 8 * r.nextInt(3) : size * r.nextInt(room / size);
        if (b.equals("r10")) {
            off = -size * (1 + r.nextInt(512 / size));
        }
        if (b.equals("r8") && off < 8) {
            off = 8 + size * r.nextInt(4); // leave the data pointer alone; scratch is reloaded only at the start
        }
        return off;
    }

    private static String unit(Random r, int i, int units) {
        int kind = r.nextInt(100);
        int w = r.nextInt(4);
        int size = 1 << w;
        if (kind < 25) { // proven: constant offset
            String b = base(r);
            int off = offset(r, b, size);
            String at = "[" + b + (off < 0 ? "" : "+") + off + "]";
            return r.nextBoolean() ? "ldx" + WIDTHS[w] + " " + scalar(r) + ", " + at
                    : r.nextBoolean() ? "stx" + WIDTHS[w] + " " + at + ", " + scalar(r) : "st" + WIDTHS[w] + " " + at + ", " + r.nextInt(1000);
        }
        if (kind < 40) { // proven: masked offset added to a pointer
            String b = r.nextBoolean() ? "r6" : "r7";
            String s = scalar(r), t = scalar(r);
            int mask = b.equals("r6") ? 0x1f8 : 0xff8;
            return "mov " + t + ", " + s + "\nand " + t + ", " + mask + "\nadd " + t + ", " + b + "\n"
                    + (r.nextBoolean() ? "ldx" + WIDTHS[w] + " " + s + ", [" + t + "+0]" : "stx" + WIDTHS[w] + " [" + t + "+0], " + s);
        }
        if (kind < 50) { // region only: an offset read from memory, unbounded
            String t = scalar(r), v = scalar(r);
            String b = r.nextBoolean() ? "r6" : "r7";
            return "ldxb " + t + ", [r7+" + r.nextInt(64) + "]\nlsh " + t + ", " + r.nextInt(4) + "\nadd " + t + ", " + b + "\nldx"
                    + WIDTHS[w] + " " + v + ", [" + t + "+0]";
        }
        if (kind < 58) { // region only: a pointer walked by a loop
            String p = "r5", n = "r4";
            return "mov " + p + ", " + (r.nextBoolean() ? "r6" : "r7") + "\nmov " + n + ", " + (1 + r.nextInt(8)) + "\nl" + i + ":\n"
                    + "ldx" + WIDTHS[w] + " r3, [" + p + "+0]\nadd r0, r3\nstx" + WIDTHS[w] + " [" + p + "+" + size + "], r0\nadd "
                    + p + ", " + (size * (1 + r.nextInt(4))) + "\nsub " + n + ", 1\njne " + n + ", 0, l" + i;
        }
        if (kind < 60) { // checked: a forged pointer (sometimes a real address)
            long[] forged = {Addresses.STACK_TOP - 8, Addresses.STACK_TOP - 600, (2L << 32) + 16, (3L << 32) + 8, (3L << 32) + 8, 0x7700000000L};
            return "lddw r3, " + forged[r.nextInt(forged.length)] + "\nldx" + WIDTHS[w] + " " + scalar(r) + ", [r3+0]";
        }
        if (kind < 68) { // map value from a lookup
            return "stw [r10-4], " + r.nextInt(3) + "\nlddw r1, map 0\nmov r2, r10\nadd r2, -4\ncall 1\njeq r0, 0, u" + (i + 1)
                    + "\nldx" + WIDTHS[w] + " r2, [r0+" + size * r.nextInt(32 / size) + "]\nadd r2, 1\nstx" + WIDTHS[w] + " [r0+" + size * r.nextInt(32 / size) + "], r2";
        }
        if (kind < 82) {
            String op = ALU[r.nextInt(ALU.length)] + (r.nextBoolean() ? "32" : "");
            return op + " " + scalar(r) + ", " + (r.nextBoolean() ? scalar(r) : Integer.toString(r.nextInt(200) - 100));
        }
        String[] jmps = {"jeq", "jne", "jgt", "jlt", "jsgt", "jslt", "jset"};
        return jmps[r.nextInt(jmps.length)] + (r.nextBoolean() ? "32 " : " ") + scalar(r) + ", " + r.nextInt(64) + ", u"
                + (i + 1 + r.nextInt(units - i));
    }

    /** Everything a run leaves behind: r0 or the fault, the count, and the memory it could touch. */
    private static String outcome(ExecutionMode mode, BpfProgram p, BpfMap map, byte[] data, byte[] scratch, long seed) {
        return outcome(mode, p, map, data, scratch, seed, 0);
    }

    /** {@code dataPointer}: what the context's data field holds; 0 for the calling convention's value. */
    private static String outcome(ExecutionMode mode, BpfProgram p, BpfMap map, byte[] data, byte[] scratch, long seed,
            long dataPointer) {
        BpfMachine m = new BpfMachine(mode, 20_000);
        MemorySegment ctx = Arena.ofAuto().allocate(ProgramType.XRP_CONTEXT_BYTES, 8);
        MemorySegment d = Arena.ofAuto().allocate(data.length, 8);
        MemorySegment s = Arena.ofAuto().allocate(scratch.length, 8);
        MemorySegment.copy(MemorySegment.ofArray(data), 0, d, 0, data.length);
        MemorySegment.copy(MemorySegment.ofArray(scratch), 0, s, 0, scratch.length);
        map.valueStorage().fill((byte) (seed & 0x7f));
        m.bind(Region.CONTEXT, ctx);
        m.bind(Region.DATA, d);
        m.bind(Region.SCRATCH, s);
        ctx.set(BpfMachine.U64, 0, dataPointer != 0 ? dataPointer : m.address(Region.DATA));
        ctx.set(BpfMachine.U64, 272, m.address(Region.SCRATCH));
        String result;
        try {
            result = "r0=" + Long.toHexString(m.run(p, m.address(Region.CONTEXT)));
        } catch (BpfFault f) {
            result = "fault " + f.kind() + " " + f.getMessage();
        }
        HexFormat hex = HexFormat.of();
        return result + " insns=" + m.lastInstructionCount() + "\nctx " + hex.formatHex(ctx.toArray(ValueLayout.JAVA_BYTE))
                + "\ndata " + hex.formatHex(d.toArray(ValueLayout.JAVA_BYTE)) + "\nscratch " + hex.formatHex(s.toArray(ValueLayout.JAVA_BYTE))
                + "\nmap " + hex.formatHex(map.valueStorage().toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void factsChangeSpeedNotResults() throws BpfLoadException {
        long seed = Seeds.seed("ProvenAccessDifferentialTest.factsChangeSpeedNotResults");
        Random random = new Random(seed);
        int proven = 0, regionOnly = 0, checked = 0, faults = 0;
        // Mostly what the proofs assume or more; sometimes less, so proven accesses run off the region.
        int[] dataSizes = {512, 512, 512, 4096, 4096, 520, 256, 64};
        int[] scratchSizes = {4096, 4096, 4096, 512, 128};
        for (int i = 0; i < PROGRAMS; i++) {
            String asm = generate(random, 10 + random.nextInt(50));
            BpfMap map = BpfMap.create(MapType.ARRAY, "values", 4, 32, 3);
            long[] slots = Asm.assemble(asm);
            BpfProgram xrp = BpfProgram.create("xrp" + i, slots, List.of(map), ProgramType.XRP);
            BpfProgram generic = BpfProgram.create("generic" + i, slots, List.of(map), ProgramType.GENERIC);
            byte[] data = new byte[dataSizes[random.nextInt(dataSizes.length)]];
            byte[] scratch = new byte[scratchSizes[random.nextInt(scratchSizes.length)]];
            random.nextBytes(data);
            random.nextBytes(scratch);
            long runSeed = random.nextLong();
            String reference = outcome(ExecutionMode.INTERPRETER, generic, map, data, scratch, runSeed);
            String context = "seed " + seed + " program " + i + " (data " + data.length + " B, scratch " + scratch.length + " B, "
                    + xrp.accessSummary() + "):\n" + asm;
            assertEquals(reference, outcome(ExecutionMode.INTERPRETER, xrp, map, data, scratch, runSeed), "interpreter, " + context);
            assertEquals(reference, outcome(ExecutionMode.JIT, xrp, map, data, scratch, runSeed), "JIT, " + context);
            BpfProgram.AccessSummary summary = xrp.accessSummary();
            proven += summary.proven();
            regionOnly += summary.regionOnly();
            checked += summary.checked();
            faults += reference.startsWith("fault") ? 1 : 0;
        }
        System.out.println("accesses over " + PROGRAMS + " programs: " + proven + " proven, " + regionOnly + " region known, "
                + checked + " checked; " + faults + " runs fault");
        assertTrue(proven > 0 && regionOnly > 0 && checked > 0, "the programs mix every kind of access");
        assertTrue(faults > 0 && faults < PROGRAMS, "some runs fault, most do not: " + faults);
    }

    /**
     * A host that breaks the calling convention: the context's data field points elsewhere in the
     * data, into the scratch, or past the data's end. Loads the verifier proved from the data pointer
     * then miss the range the JIT handed to C2 for them (a sized translation's range check fails) and
     * take the checked path: results as in the interpreter of a GENERIC program, which assumes nothing.
     */
    @Test
    void aHostThatMovesTheDataPointerGetsTheSameResults() throws BpfLoadException {
        long seed = Seeds.seed("ProvenAccessDifferentialTest.aHostThatMovesTheDataPointerGetsTheSameResults");
        Random random = new Random(seed);
        long data = 2L << 32, scratch = 3L << 32;
        long[] pointers = {data + 8, data + 256, data + 504, data + 512, scratch, scratch + 64, data - 8};
        int moved = 0;
        for (int i = 0; i < 100; i++) {
            String asm = generate(random, 10 + random.nextInt(40));
            BpfMap map = BpfMap.create(MapType.ARRAY, "values", 4, 32, 3);
            long[] slots = Asm.assemble(asm);
            BpfProgram xrp = BpfProgram.create("xrp" + i, slots, List.of(map), ProgramType.XRP);
            BpfProgram generic = BpfProgram.create("generic" + i, slots, List.of(map), ProgramType.GENERIC);
            byte[] d = new byte[512];
            byte[] s = new byte[4096];
            random.nextBytes(d);
            random.nextBytes(s);
            long runSeed = random.nextLong();
            long pointer = pointers[random.nextInt(pointers.length)];
            String reference = outcome(ExecutionMode.INTERPRETER, generic, map, d, s, runSeed, pointer);
            String context = "seed " + seed + " program " + i + " (data pointer 0x" + Long.toHexString(pointer) + "):\n" + asm;
            assertEquals(reference, outcome(ExecutionMode.INTERPRETER, xrp, map, d, s, runSeed, pointer), "interpreter, " + context);
            assertEquals(reference, outcome(ExecutionMode.JIT, xrp, map, d, s, runSeed, pointer), "JIT, " + context);
            moved += JitCompiler.compile(xrp).needs() != null ? 1 : 0;
        }
        assertTrue(moved > 50, "most programs have sized loads: " + moved);
    }

    /**
     * A region-typed access (the region known, the offset read from memory) that leaves its region:
     * the JIT's plain access meets the segment's bounds check and faults as the interpreter does,
     * for loads and stores, just below, at and far past the end, and before the start.
     */
    @Test
    void aRegionTypedAccessOutsideItsRegionFaultsAsInTheInterpreter() throws BpfLoadException {
        String asm = """
                ldxdw r6, [r1+0]
                ldxdw r7, [r1+272]
                ldxdw r2, [r7+0]
                mov r3, r6
                add r3, r2
                ldxdw r0, [r3+0]
                ldxdw r4, [r7+8]
                mov r5, r7
                add r5, r4
                stxdw [r5+0], r0
                exit
                """;
        BpfProgram p = BpfProgram.create("typed", Asm.assemble(asm), List.of(), ProgramType.XRP);
        assertEquals(RangeAnalysis.TYPED, p.analysis.facts().accessClass()[5], "the data load is region-typed");
        assertEquals(RangeAnalysis.TYPED, p.analysis.facts().accessClass()[9], "the scratch store is region-typed");
        BpfMap unused = BpfMap.create(MapType.ARRAY, "values", 4, 32, 1);
        long[][] offsets = {{0, 16}, {504, 120}, {505, 16}, {512, 16}, {1L << 20, 16}, {-8, 16}, {8, 121}, {8, 128},
                {8, -8}, {8, 1L << 31}};
        int faults = 0;
        for (long[] o : offsets) {
            byte[] data = new byte[512];
            byte[] scratch = new byte[128];
            java.nio.ByteBuffer.wrap(scratch).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0, o[0]).putLong(8, o[1]);
            String reference = outcome(ExecutionMode.INTERPRETER, p, unused, data, scratch, 1);
            assertEquals(reference, outcome(ExecutionMode.JIT, p, unused, data, scratch, 1),
                    "JIT, data offset " + o[0] + ", scratch offset " + o[1]);
            faults += reference.startsWith("fault") ? 1 : 0;
        }
        assertEquals(8, faults, "all but the two in-bounds pairs fault");
    }

    /** The verifier's facts on a hand-written storage function, access by access. */
    @Test
    void factsOfAStorageFunction() throws BpfLoadException {
        String asm = """
                ldxdw r6, [r1+0]
                ldxdw r7, [r1+272]
                ldxw r2, [r7+24]
                jgt r2, 30, out
                lsh r2, 3
                mov r3, r6
                add r3, r2
                ldxdw r0, [r3+16]
                mov r4, r6
                mov r5, 0
                counted:
                ldxdw r2, [r4+0]
                add r4, 8
                add r5, 1
                jne r5, 64, counted
                ldxw r5, [r7+8]
                mov r4, r6
                unbounded:
                ldxdw r2, [r4+0]
                add r4, 8
                sub r5, 1
                jne r5, 0, unbounded
                stxdw [r10-8], r0
                out:
                lddw r3, 0x300000008
                ldxdw r0, [r3+0]
                exit
                """;
        BpfProgram p = BpfProgram.create("facts", Asm.assemble(asm), List.of(), ProgramType.XRP);
        RangeAnalysis.Facts f = p.analysis.facts();
        // context fields, a scratch field, data at a bounded index, data walked by a loop of 64 (each
        // iteration explored: proven), data walked by a loop whose count is read from memory (widened:
        // region only), the stack, a forged pointer
        int[] pcOf = {0, 1, 2, 7, 10, 14, 16, 20, 24};
        byte[] expectedClass = {RangeAnalysis.PROVEN, RangeAnalysis.PROVEN, RangeAnalysis.PROVEN, RangeAnalysis.PROVEN,
                RangeAnalysis.PROVEN, RangeAnalysis.PROVEN, RangeAnalysis.TYPED, RangeAnalysis.PROVEN, RangeAnalysis.CHECKED};
        int[] expectedRegion = {Region.CONTEXT.id, Region.CONTEXT.id, Region.SCRATCH.id, Region.DATA.id, Region.DATA.id,
                Region.SCRATCH.id, Region.DATA.id, Addresses.STACK_ID, 0};
        for (int i = 0; i < pcOf.length; i++) {
            int pc = pcOf[i];
            assertEquals(expectedClass[i], f.accessClass()[pc], "class of pc " + pc + ": " + Disassembler.disassemble(p.slots, pc));
            assertEquals(expectedRegion[i], f.accessRegion()[pc], "region of pc " + pc);
        }
        // Only r10-8 is reached by a fast path: the machine zeroes 8 bytes of stack before a run.
        assertEquals(Addresses.STACK_BYTES - 8, f.stackZeroFrom());
        // Verified as GENERIC nothing is known of r1: the context loads, and what follows, are checked.
        BpfProgram generic = BpfProgram.create("g", Asm.assemble(asm), List.of());
        assertEquals(ProgramType.GENERIC, generic.type());
        assertEquals(RangeAnalysis.CHECKED, generic.analysis.facts().accessClass()[0]);
        assertEquals(RangeAnalysis.CHECKED, generic.analysis.facts().accessClass()[7]);
        assertEquals(RangeAnalysis.PROVEN, generic.analysis.facts().accessClass()[20]);
    }
}
