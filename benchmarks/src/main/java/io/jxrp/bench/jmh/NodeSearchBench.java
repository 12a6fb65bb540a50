package io.jxrp.bench.jmh;

import io.jxrp.bpfkv.io.DbBuilder;
import io.jxrp.bpfkv.format.NodeDescriptor;
import io.jxrp.bpfkv.format.TreeLayout;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Node search on real BPF-KV nodes (a 3-layer database, the original's format): the child choice in
 * an internal node ({@link NodeDescriptor#childIndex}) and the key's slot in a leaf
 * ({@link NodeDescriptor#leafIndexOf}), for random keys, the nodes in an off-heap segment as the
 * engine's buffers are. The score is time per search.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class NodeSearchBench {
    private static final int LAYERS = 3;
    private static final int SEARCHES = 1024;

    private Arena arena;
    /** The whole index: root, level 1, leaves. */
    private MemorySegment index;
    private TreeLayout layout;
    private long[] keys;
    /** For each key: byte offset of the level-1 node on its path and of its leaf. */
    private long[] internalNodes;
    private long[] leafNodes;

    @Setup(Level.Trial)
    public void open() throws IOException {
        layout = new TreeLayout(LAYERS);
        Path file = ShimRoundTripBench.BenchFiles.dir().resolve("node-search-" + LAYERS + ".db");
        if (!Files.exists(file) || Files.size(file) != layout.fileSizeBytes()) {
            DbBuilder.create(file, LAYERS, DbBuilder.Options.defaults().withForce(true));
        }
        arena = Arena.ofShared();
        long indexBytes = layout.valueLogOffset();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            index = ch.map(FileChannel.MapMode.READ_ONLY, 0, indexBytes, arena);
        }
        SplittableRandom rnd = new SplittableRandom(7);
        keys = new long[SEARCHES];
        internalNodes = new long[SEARCHES];
        leafNodes = new long[SEARCHES];
        for (int i = 0; i < SEARCHES; i++) {
            long key = rnd.nextLong(layout.keyCount());
            keys[i] = key;
            long level1 = NodeDescriptor.decode(NodeDescriptor.ptr(index, 0, NodeDescriptor.childIndex(index, 0, key)));
            internalNodes[i] = level1;
            leafNodes[i] = NodeDescriptor.decode(NodeDescriptor.ptr(index, level1, NodeDescriptor.childIndex(index, level1, key)));
            if (leafNodes[i] != layout.leafOffsetOf(key)) {
                throw new IllegalStateException("descent for key " + key + " reached " + leafNodes[i] + ", expected "
                        + layout.leafOffsetOf(key));
            }
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        arena.close();
    }

    /** Child choice in an internal node (the original's scan of key[1..30]). */
    @Benchmark
    @OperationsPerInvocation(SEARCHES)
    public int childIndex() {
        int sum = 0;
        for (int i = 0; i < SEARCHES; i++) {
            sum += NodeDescriptor.childIndex(index, internalNodes[i], keys[i]);
        }
        return sum;
    }

    /** The key's slot in its leaf. */
    @Benchmark
    @OperationsPerInvocation(SEARCHES)
    public int leafIndexOf() {
        int sum = 0;
        for (int i = 0; i < SEARCHES; i++) {
            sum += NodeDescriptor.leafIndexOf(index, leafNodes[i], keys[i]);
        }
        return sum;
    }

    /** A full in-memory descent: root, level 1, leaf slot, then the value pointer. */
    @Benchmark
    @OperationsPerInvocation(SEARCHES)
    public long descent() {
        long sum = 0;
        for (int i = 0; i < SEARCHES; i++) {
            long key = keys[i];
            long node = 0;
            for (int level = 0; level < LAYERS - 1; level++) {
                node = NodeDescriptor.decode(NodeDescriptor.ptr(index, node, NodeDescriptor.childIndex(index, node, key)));
            }
            sum += NodeDescriptor.ptr(index, node, NodeDescriptor.leafIndexOf(index, node, key));
        }
        return sum;
    }
}
