package io.jxrp.bpfkv.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jxrp.bpfkv.StorageFunctions;
import io.jxrp.bpfkv.format.NodeDescriptor;
import io.jxrp.bpfkv.format.TreeLayout;
import io.jxrp.ebpf.ExecutionMode;
import io.jxrp.engine.FunctionRunner;
import io.jxrp.engine.XrpContextDescriptor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A point lookup's node scan ({@link TreeFunction#scanNode}, {@code bpfkv.c}'s
 * {@code scan_node}) gives what the two passes give — {@link TreeFunction#keysCode}, then
 * {@link NodeDescriptor#childIndex} or {@link NodeDescriptor#leafIndexOf} — on random nodes, good and
 * broken (keys out of order, repeated, outside the parent's bounds, used keys after empty slots, no
 * keys), searched for keys in them, between them, 0 and the empty key; and the point-lookup programs
 * (interpreter and JIT) answer such nodes as the Java function does, hop for hop. Seeded: re-run
 * with -Djxrp.seed=N.
 */
class ScanNodeTest {
    private static final long EMPTY = NodeDescriptor.EMPTY_KEY;

    private static long seed() {
        String fixed = System.getProperty("jxrp.seed");
        long seed = fixed != null ? Long.parseLong(fixed) : System.nanoTime();
        System.out.println("ScanNodeTest seed=" + seed + " (re-run with -Djxrp.seed=" + seed + ")");
        return seed;
    }

    /** A node's 31 keys: mostly good, often broken in one of the ways the checks look for. */
    static long[] keys(Random r) {
        long[] k = new long[NodeDescriptor.FANOUT];
        Arrays.fill(k, EMPTY);
        int used = r.nextInt(8) == 0 ? r.nextInt(3) : 1 + r.nextInt(NodeDescriptor.FANOUT);
        long v = r.nextInt(4) == 0 ? 0 : r.nextInt(1000);
        for (int i = 0; i < used; i++) {
            k[i] = v;
            v += 1 + r.nextInt(3);
        }
        switch (r.nextInt(8)) {
            case 0 -> { // swap two
                int a = r.nextInt(NodeDescriptor.FANOUT), b = r.nextInt(NodeDescriptor.FANOUT);
                long t = k[a];
                k[a] = k[b];
                k[b] = t;
            }
            case 1 -> k[r.nextInt(NodeDescriptor.FANOUT)] = EMPTY; // an empty slot, maybe among used ones
            case 2 -> k[r.nextInt(NodeDescriptor.FANOUT)] = r.nextInt(1100); // any value anywhere
            case 3 -> { // a repeat
                int a = r.nextInt(NodeDescriptor.FANOUT);
                k[a] = k[Math.max(0, a - 1)];
            }
            default -> { } // good
        }
        return k;
    }

    private static long pick(Random r, long[] keys) {
        return switch (r.nextInt(6)) {
            case 0 -> EMPTY;
            case 1 -> 0;
            case 2 -> r.nextInt(1200);
            default -> keys[r.nextInt(keys.length)] + (r.nextBoolean() ? 0 : r.nextInt(3) - 1);
        };
    }

    private static long[] bounds(Random r, long[] keys) {
        long lo = r.nextInt(3) == 0 ? 0 : Math.max(0, keys[0] == EMPTY ? r.nextInt(100) : keys[0] - r.nextInt(3));
        long hi = r.nextInt(3) == 0 ? 0 : r.nextInt(1200);
        return new long[] {lo, hi};
    }

    private static MemorySegment node(MemorySegment n, long[] keys, long type, Random r) {
        n.set(NodeDescriptor.U64, NodeDescriptor.TYPE_OFFSET, type);
        for (int i = 0; i < NodeDescriptor.FANOUT; i++) {
            n.set(NodeDescriptor.U64, NodeDescriptor.keyOffset(i), keys[i]);
            n.set(NodeDescriptor.U64, NodeDescriptor.ptrOffset(i), r.nextLong());
        }
        return n;
    }

    @Test
    void theScanAnswersAsTheTwoPassesDo() {
        Random r = new Random(seed());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment block = arena.allocate(NodeDescriptor.BLOCK_SIZE, NodeDescriptor.BLOCK_SIZE);
            int bad = 0;
            for (int i = 0; i < 200_000; i++) {
                long[] keys = keys(r);
                long[] b = bounds(r, keys);
                long search = pick(r, keys);
                boolean internal = r.nextBoolean();
                MemorySegment n = node(block, keys, internal ? 0 : 1, r);
                int code = TreeFunction.keysCode(n, b[0], b[1], internal);
                int expected = code != 0 ? -code : internal ? NodeDescriptor.childIndex(n, 0, search)
                        : NodeDescriptor.leafIndexOf(n, 0, search) < 0 ? NodeDescriptor.FANOUT : NodeDescriptor.leafIndexOf(n, 0, search);
                bad += code != 0 ? 1 : 0;
                assertEquals(expected, TreeFunction.scanNode(n, b[0], b[1], search, internal),
                        () -> "keys " + Arrays.toString(keys) + " bounds " + Arrays.toString(b) + " search " + search
                                + (internal ? " internal" : " leaf"));
            }
            assertTrue(bad > 20_000 && bad < 180_000, "good and broken nodes both: " + bad + " broken");
        }
    }

    @Test
    void theProgramsAnswerRandomNodesAsTheJavaFunctionDoes() throws IOException {
        assumeTrue(BpfFunctions.isAvailable(), () -> "skipped: " + BpfFunctions.unavailabilityCause());
        Random r = new Random(seed());
        TreeLayout layout = new TreeLayout(3);
        StorageFunctions java = StorageFunctions.java(layout, layout.fileSizeBytes());
        GetFunction get = (GetFunction) java.get();
        for (ExecutionMode mode : ExecutionMode.values()) {
            List<String> mismatches = new ArrayList<>();
            BpfFunctionsTest.Lockstep lockstep = new BpfFunctionsTest.Lockstep("get", get,
                    BpfFunctions.factory(mode).create(layout, layout.fileSizeBytes()).get(), mismatches);
            try (Arena arena = Arena.ofConfined(); FunctionRunner runner = new FunctionRunner()) {
                MemorySegment scratch = arena.allocate(XrpContextDescriptor.SCRATCH_SIZE, 4096);
                MemorySegment block = arena.allocate(NodeDescriptor.BLOCK_SIZE, NodeDescriptor.BLOCK_SIZE);
                for (int i = 0; i < 20_000; i++) {
                    long[] keys = keys(r);
                    long[] b = bounds(r, keys);
                    long search = pick(r, keys);
                    boolean internal = r.nextBoolean();
                    // the root (level 0, internal) or the first leaf (level 2)
                    long at = internal ? 0 : layout.levelStartBytes(layout.layers() - 1);
                    MemorySegment n = node(block, keys, r.nextInt(20) == 0 ? 1 - (internal ? 0 : 1) : internal ? 0 : 1, r);
                    MemorySegment view = scratch.asSlice(0, io.jxrp.bpfkv.format.ScratchDescriptor.GET_END);
                    view.fill((byte) 0);
                    get.request(lockstep, search, at, b[0], b[1]).scratchInit().accept(view);
                    runner.run(lockstep, n, at, 0, view);
                    if (!mismatches.isEmpty()) {
                        throw new AssertionError(mode + ": keys " + Arrays.toString(keys) + " bounds " + Arrays.toString(b)
                                + " search " + search + ": " + mismatches);
                    }
                }
            }
        }
    }
}
