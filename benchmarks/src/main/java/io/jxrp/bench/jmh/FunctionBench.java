package io.jxrp.bench.jmh;

import io.jxrp.bpfkv.function.BpfFunctions;
import io.jxrp.bpfkv.io.DbBuilder;
import io.jxrp.bpfkv.function.GetFunction;
import io.jxrp.bpfkv.format.NodeDescriptor;
import io.jxrp.bpfkv.format.ScratchDescriptor;
import io.jxrp.bpfkv.format.TreeLayout;
import io.jxrp.ebpf.ExecutionMode;
import io.jxrp.engine.StorageFunction;
import io.jxrp.engine.FunctionRunner;
import io.jxrp.engine.XrpContextDescriptor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * BPF-KV's point-lookup storage function, one invocation (one hop) on real nodes of a 3-layer
 * database: the Java {@link GetFunction} against the eBPF program {@code xrp/get} run by the JIT and
 * by the interpreter (through the engine's adapter, which binds the context, block and scratch for
 * every run, as the engine does). {@code node=internal} is a level-1 node (child choice and pointer
 * checks), {@code node=leaf} a leaf (key search, value-pointer check). The context is prepared by
 * hand as the engine prepares it and the scratch as for a real request (tree parameters, the key).
 * The score is time per invocation.
 *
 * <p>Three forks by default, to see whether HotSpot compiled the JIT's translation the same way in
 * each JVM. Before the JIT added its compiler directive ({@code HotSpotDirective} in the ebpf
 * module) about one fork in six took twice as long per hop (247 against 112 ns on the 2-core VM):
 * C2 had not inlined {@code Unsafe.getLongUnaligned} into the generated code because the JDK's own
 * profile of its caller was not yet mature ("low call site frequency" in {@code -XX:+LogCompilation}).
 * Read the per-fork scores, not only the mean.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class FunctionBench {
    private static final int LAYERS = 3;
    private static final int KEYS = 256;

    /** java, jit (eBPF, JIT-compiled to JVM bytecode), interp (eBPF, interpreted). */
    @Param({"java", "jit", "interp"})
    public String function;

    /** internal (a level-1 node) or leaf. */
    @Param({"internal", "leaf"})
    public String node;

    private Arena arena;
    private StorageFunction lookup;
    private FunctionRunner ctx;
    private MemorySegment scratch;
    private long[] keys;
    /** The node each key's hop reads, 512 B each, and its logical offset. */
    private MemorySegment[] blocks;
    private long[] offsets;

    @Setup(Level.Trial)
    public void open() throws IOException {
        TreeLayout layout = new TreeLayout(LAYERS);
        Path file = ShimRoundTripBench.BenchFiles.dir().resolve("node-search-" + LAYERS + ".db");
        if (!Files.exists(file) || Files.size(file) != layout.fileSizeBytes()) {
            DbBuilder.create(file, LAYERS, DbBuilder.Options.defaults().withForce(true));
        }
        long fileSize = layout.fileSizeBytes();
        GetFunction java = new GetFunction(layout, fileSize);
        lookup = switch (function) {
            case "java" -> java;
            case "jit" -> BpfFunctions.factory(ExecutionMode.JIT).create(layout, fileSize).get();
            case "interp" -> BpfFunctions.factory(ExecutionMode.INTERPRETER).create(layout, fileSize).get();
            default -> throw new IllegalArgumentException("function " + function);
        };
        arena = Arena.ofShared();
        ctx = new FunctionRunner();
        scratch = arena.allocate(XrpContextDescriptor.SCRATCH_SIZE, 4096);
        SplittableRandom random = new SplittableRandom(11);
        keys = new long[KEYS];
        blocks = new MemorySegment[KEYS];
        offsets = new long[KEYS];
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int i = 0; i < KEYS; i++) {
                long key = random.nextLong(layout.keyCount());
                keys[i] = key;
                long leaf = layout.leafOffsetOf(key);
                offsets[i] = switch (node) {
                    case "internal" -> layout.levelStartBytes(1) + (leaf - layout.levelStartBytes(2)) / NodeDescriptor.BLOCK_SIZE
                            / NodeDescriptor.FANOUT * NodeDescriptor.BLOCK_SIZE;
                    case "leaf" -> leaf;
                    default -> throw new IllegalArgumentException("node " + node);
                };
                blocks[i] = arena.allocate(NodeDescriptor.BLOCK_SIZE, NodeDescriptor.BLOCK_SIZE);
                channel.read(blocks[i].asByteBuffer(), offsets[i]);
            }
        }
        // the scratch as the request sets it up: tree parameters and the key
        java.request(lookup, keys[0], 0).scratchInit().accept(scratch);
        for (int i = 0; i < KEYS; i++) {
            long expected = "leaf".equals(node) ? NodeDescriptor.blockOf(layout.valueLogOffset() + keys[i] * NodeDescriptor.VALUE_SIZE)
                    : layout.leafOffsetOf(keys[i]);
            if (hop(i) != 0 || ctx.nextAddr(0) != expected) {
                throw new IllegalStateException(function + " on the " + node + " for key " + keys[i] + " read next "
                        + ctx.nextAddr(0) + ", expected " + expected);
            }
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        ctx.close();
        arena.close();
    }

    private int hop(int i) {
        scratch.set(ScratchDescriptor.U64, ScratchDescriptor.GET_KEY, keys[i]);
        // a fresh descent: no bounds from a parent (the last hop left its child's bounds here)
        scratch.set(ScratchDescriptor.U64, ScratchDescriptor.GET_LO, 0);
        scratch.set(ScratchDescriptor.U64, ScratchDescriptor.GET_HI, 0);
        return ctx.run(lookup, blocks[i], offsets[i], 0, scratch);
    }

    /** One lookup hop per key: prepare the context, run the function. */
    @Benchmark
    @OperationsPerInvocation(KEYS)
    public long lookupHop() {
        long sum = 0;
        for (int i = 0; i < KEYS; i++) {
            sum += hop(i) + ctx.nextAddr(0);
        }
        return sum;
    }
}
