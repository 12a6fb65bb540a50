package io.jxrp.bpfkv.cli;

import io.jxrp.bpfkv.BpfKvOptions;
import io.jxrp.bpfkv.check.DeepCheck;
import io.jxrp.bpfkv.check.Problems;
import io.jxrp.bpfkv.format.ChecksumDescriptor;
import io.jxrp.bpfkv.format.NodeDescriptor;
import io.jxrp.bpfkv.format.TreeLayout;
import io.jxrp.bpfkv.io.BlockReader;
import io.jxrp.bpfkv.io.EngineBlockReader;
import io.jxrp.bpfkv.ops.PreadTraversal;
import io.jxrp.engine.EngineOptions;
import io.jxrp.engine.TargetSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        header = "Checks a database and prints its layout, one node, or every problem (--deep).",
        description = {"Checks a database (size, root, the checksum sidecar) and prints its layout; --node dumps one index node;",
                "--deep walks every node and value (and checks every block against the sidecar) and reports every problem",
                "with its byte offset (exit 3 when there is one). A namespace (spdk:...) is read through the engine",
                "on the spdk backend (no --deep)."})
final class InspectCommand implements Callable<Integer> {
    /** Problems --deep lists at most (all are counted). */
    static final int MAX_LISTED = 1_000_000;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DB", description = "a database file, or a namespace spdk:<transport ID> [ns:N]")
    String target;

    /** The database file (null for a namespace). */
    private Path file;

    @Option(names = {"-l", "--layers"}, paramLabel = "L", defaultValue = "0",
            description = "expected layers, 1..10 (default: from a file's size; on a namespace, by descending from the root)")
    int layers;

    @Option(names = "--node", paramLabel = "N", description = "dump index node N (node N is at N * 512), 0..nodes-1")
    Long node;

    @Option(names = "--deep", description = "walk every node and the value log; report every problem with its offset")
    boolean deep;

    @Option(names = "--max-problems", paramLabel = "N", defaultValue = "100",
            description = "--deep: problems listed, 0..1000000 (all are counted; default ${DEFAULT-VALUE})")
    int maxProblems;

    @Option(names = "--no-progress", description = "--deep: no progress bar (there is none when stderr is not a terminal)")
    boolean noProgress;

    @Mixin
    JsonOutput json;

    @Override
    public Integer call() throws Exception {
        Arguments.range(spec, "--layers", layers, 0, TreeLayout.MAX_LAYERS);
        Arguments.range(spec, "--max-problems", maxProblems, 0, MAX_LISTED);
        if (node != null) {
            Arguments.range(spec, "--node", node, 0, Long.MAX_VALUE);
        }
        TargetSpec database;
        try {
            database = TargetSpec.parse(target);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (database.isSpdk()) {
            if (deep) {
                throw new ParameterException(spec.commandLine(), "--deep walks a database file; a namespace's database "
                        + "is checked on every read through the engine");
            }
            return namespace(database);
        }
        file = database.path();
        if (deep) {
            return deep();
        }
        TreeLayout layout;
        try (PreadTraversal db = PreadTraversal.open(file, BpfKvOptions.defaults().withLayers(layers)
                .withMode(BpfKvOptions.Mode.PREAD))) {
            layout = db.layout();
            if (node != null && node >= layout.totalNodes()) { // before any output
                Arguments.range(spec, "--node", node, 0, layout.totalNodes() - 1);
            }
            if (json.enabled) {
                Map<String, Object> out = layoutJson("file", file.toString(), db.fileSizeBytes(), layout);
                out.put("reads", JsonOutput.object("direct", db.direct(), "alignment", db.readAlignment()));
                out.put("checksums", db.checksums() == null ? null : JsonOutput.object("sidecar", db.checksums().sidecar().toString(),
                        "blocks", db.checksums().blocks()));
                if (node != null) {
                    ByteBuffer bytes = ByteBuffer.allocate(NodeDescriptor.BLOCK_SIZE);
                    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                        while (bytes.hasRemaining() && channel.read(bytes, node * NodeDescriptor.BLOCK_SIZE + bytes.position()) > 0) {
                            // read the whole node
                        }
                    }
                    out.put("node", nodeJson(layout, node, MemorySegment.ofArray(bytes.array())));
                }
                JsonOutput.print(out);
                return 0;
            }
            System.out.printf(Locale.ROOT, "file          %s%n", file);
            System.out.printf(Locale.ROOT, "size          %,d bytes%n", db.fileSizeBytes());
            System.out.printf(Locale.ROOT, "layers        %d%n", layout.layers());
            System.out.printf(Locale.ROOT, "keys          %,d%s%n", layout.keyCount(), layout.isDense()
                    ? String.format(Locale.ROOT, " (0 .. %,d, create's)", layout.keyCount() - 1) : " (the user's own)");

            System.out.printf(Locale.ROOT, "index nodes   %,d (%,d bytes)%n", layout.totalNodes(), layout.valueLogOffset());
            for (int l = 0; l < layout.layers(); l++) {
                System.out.printf(Locale.ROOT, "  level %d     %,d %s from node %,d (offset %,d)%s%n", l, layout.nodesOnLevel(l),
                        layout.nodesOnLevel(l) == 1 ? "node" : "nodes", layout.firstNodeOfLevel(l), layout.levelStartBytes(l),
                        l == layout.layers() - 1 ? ", leaves" : "");
            }
            System.out.printf(Locale.ROOT, "value log     offset %,d, %,d blocks of 8 values%n", layout.valueLogOffset(),
                    layout.valueBlocks());
            System.out.printf(Locale.ROOT, "reads         %s, %d B aligned%n", db.direct() ? "O_DIRECT" : "buffered", db.readAlignment());
            System.out.printf(Locale.ROOT, "checksums     %s%n", db.checksums() != null
                    ? db.checksums().sidecar() + " (" + db.checksums().blocks() + " blocks; bpfkv scrub verifies them all)"
                    : "none (bpfkv checksum adds " + ChecksumDescriptor.sidecarOf(file).getFileName() + ")");
            System.out.println("root          valid");
        }
        if (node != null) {
            ByteBuffer bytes = ByteBuffer.allocate(NodeDescriptor.BLOCK_SIZE);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                while (bytes.hasRemaining() && channel.read(bytes, node * NodeDescriptor.BLOCK_SIZE + bytes.position()) > 0) {
                    // read the whole node
                }
            }
            dump(layout, node, MemorySegment.ofArray(bytes.array()));
        }
        return 0;
    }

    /** The layout of the database on a namespace, read through the engine (spdk backend). */
    private int namespace(TargetSpec namespace) throws Exception {
        BlockReader reader = EngineBlockReader.open(namespace, EngineOptions.defaults());
        try (PreadTraversal db = PreadTraversal.open(reader, layers, 0)) {
            TreeLayout layout = db.layout();
            if (node != null && node >= layout.totalNodes()) { // before any output
                Arguments.range(spec, "--node", node, 0, layout.totalNodes() - 1);
            }
            Map<String, Object> out = json.enabled ? layoutJson("namespace", namespace.toString(), db.fileSizeBytes(), layout) : null;
            if (out != null) {
                out.put("device_bytes", reader.sizeBytes());
                out.put("reads", JsonOutput.object("engine", "spdk", "alignment", db.readAlignment()));
            }
            if (out == null) {
            System.out.printf(Locale.ROOT, "namespace     %s%n", namespace);
            System.out.printf(Locale.ROOT, "device        %,d bytes, the database from offset 0%n", reader.sizeBytes());
            System.out.printf(Locale.ROOT, "size          %,d bytes%n", db.fileSizeBytes());
            System.out.printf(Locale.ROOT, "layers        %d%n", layout.layers());
            System.out.printf(Locale.ROOT, "keys          %,d%s%n", layout.keyCount(), layout.isDense()
                    ? String.format(Locale.ROOT, " (0 .. %,d, create's)", layout.keyCount() - 1) : " (the user's own)");
            System.out.printf(Locale.ROOT, "index nodes   %,d (%,d bytes)%n", layout.totalNodes(), layout.valueLogOffset());
            for (int l = 0; l < layout.layers(); l++) {
                System.out.printf(Locale.ROOT, "  level %d     %,d %s from node %,d (offset %,d)%s%n", l, layout.nodesOnLevel(l),
                        layout.nodesOnLevel(l) == 1 ? "node" : "nodes", layout.firstNodeOfLevel(l), layout.levelStartBytes(l),
                        l == layout.layers() - 1 ? ", leaves" : "");
            }
            System.out.printf(Locale.ROOT, "value log     offset %,d, %,d blocks of 8 values%n", layout.valueLogOffset(),
                    layout.valueBlocks());
            System.out.printf(Locale.ROOT, "reads         engine (spdk), %d B aligned%n", db.readAlignment());
            System.out.println("root          valid");
            }
            if (node != null) {
                long offset = node * NodeDescriptor.BLOCK_SIZE;
                int span = Math.max(NodeDescriptor.BLOCK_SIZE, reader.alignment());
                long start = offset - offset % span;
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment buffer = arena.allocate(span, span);
                    reader.read(start, buffer);
                    MemorySegment bytes = MemorySegment.ofArray(buffer.asSlice(offset - start, NodeDescriptor.BLOCK_SIZE)
                            .toArray(ValueLayout.JAVA_BYTE));
                    if (out != null) {
                        out.put("node", nodeJson(layout, node, bytes));
                    } else {
                        dump(layout, node, bytes);
                    }
                }
            }
            if (out != null) {
                JsonOutput.print(out);
            }
        }
        return 0;
    }

    /** The layout as --json prints it. */
    private static Map<String, Object> layoutJson(String kind, String where, long sizeBytes, TreeLayout layout) {
        List<Map<String, Object>> levels = new ArrayList<>();
        for (int l = 0; l < layout.layers(); l++) {
            levels.add(JsonOutput.object("level", l, "nodes", layout.nodesOnLevel(l), "first_node", layout.firstNodeOfLevel(l),
                    "offset", layout.levelStartBytes(l), "leaves", l == layout.layers() - 1));
        }
        return JsonOutput.object(kind, where, "size_bytes", sizeBytes, "layers", layout.layers(), "keys", layout.keyCount(),
                "index_nodes", layout.totalNodes(), "levels", levels, "value_log_offset", layout.valueLogOffset(),
                "value_blocks", layout.valueBlocks(), "root_valid", true);
    }

    /** One node as --json prints it: keys and decoded pointers as unsigned decimal text. */
    private static Map<String, Object> nodeJson(TreeLayout layout, long index, MemorySegment node) {
        List<Map<String, Object>> slots = new ArrayList<>();
        for (int k = 0; k < NodeDescriptor.FANOUT; k++) {
            long pointer = NodeDescriptor.ptr(node, 0, k);
            long key = NodeDescriptor.key(node, 0, k);
            slots.add(JsonOutput.object("key", key == NodeDescriptor.EMPTY_KEY ? null : Long.toUnsignedString(key),
                    "ptr", Long.toUnsignedString(NodeDescriptor.decode(pointer)), "file_offset_bit", NodeDescriptor.isFileOffset(pointer)));
        }
        long type = NodeDescriptor.type(node, 0);
        return JsonOutput.object("index", index, "offset", index * NodeDescriptor.BLOCK_SIZE, "level", layout.levelOfNode(index),
                "next", Long.toUnsignedString(NodeDescriptor.next(node, 0)), "type", Long.toUnsignedString(type),
                "leaf", type == NodeDescriptor.TYPE_LEAF, "slots", slots);
    }

    private int deep() throws Exception {
        DeepCheck.Report report = Progress.run(noProgress, "inspect", Files.size(file),
                progress -> DeepCheck.run(file, layers, maxProblems, progress));
        Problems problems = report.problems();
        if (json.enabled) {
            JsonOutput.print(JsonOutput.object("file", file.toString(), "index_nodes", report.nodes(), "values", report.values(),
                    "checksummed", report.checksummed(), "seconds", report.elapsedNanos() / 1e9, "problems", problems.count(),
                    "listed", problems.listed().stream().map(Object::toString).toList()));
            return problems.isEmpty() ? 0 : BpfKvCli.EXIT_BAD_DATABASE;
        }
        System.out.printf(Locale.ROOT, "walked %s: %,d index nodes, %,d values%s in %.2f s: %s%n", file, report.nodes(),
                report.values(), report.checksummed() ? ", every block against its checksum" : "",
                report.elapsedNanos() / 1e9, problems.isEmpty() ? "no problem" : problems.count()
                        + (problems.count() == 1 ? " problem" : " problems"));
        for (Problems.Problem p : problems.listed()) {
            System.out.println("  " + p);
        }
        if (problems.count() > problems.listed().size()) {
            System.out.printf(Locale.ROOT, "  ... and %,d more (--max-problems lists more)%n", problems.count() - problems.listed().size());
        }
        return problems.isEmpty() ? 0 : BpfKvCli.EXIT_BAD_DATABASE;
    }

    private static void dump(TreeLayout layout, long index, MemorySegment node) {
        long type = NodeDescriptor.type(node, 0);
        System.out.printf(Locale.ROOT, "%nnode %,d at offset %,d (level %d)%n", index, index * NodeDescriptor.BLOCK_SIZE,
                layout.levelOfNode(index));
        System.out.printf(Locale.ROOT, "  next  %,d%n", NodeDescriptor.next(node, 0));
        System.out.printf(Locale.ROOT, "  type  %s%n", type == NodeDescriptor.TYPE_LEAF ? "1 (leaf)"
                : type == NodeDescriptor.TYPE_INTERNAL ? "0 (internal)" : Long.toUnsignedString(type) + " (INVALID)");
        for (int k = 0; k < NodeDescriptor.FANOUT; k++) {
            long pointer = NodeDescriptor.ptr(node, 0, k);
            long key = NodeDescriptor.key(node, 0, k);
            System.out.printf(Locale.ROOT, "  [%2d] key %20s  ptr %s%,d%n", k,
                    key == NodeDescriptor.EMPTY_KEY ? "(empty)" : String.format(Locale.ROOT, "%,d", key),
                    NodeDescriptor.isFileOffset(pointer) ? "" : "(no bit 63!) ", NodeDescriptor.decode(pointer));
        }
    }
}
