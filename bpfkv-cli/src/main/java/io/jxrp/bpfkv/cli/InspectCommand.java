package io.jxrp.bpfkv.cli;

import io.jxrp.bpfkv.BpfKvOptions;
import io.jxrp.bpfkv.format.NodeDescriptor;
import io.jxrp.bpfkv.ops.PreadTraversal;
import io.jxrp.bpfkv.format.TreeLayout;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Checks a database (size, root) and prints its layout; --node dumps one index node.")
final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE")
    Path file;

    @Option(names = {"-l", "--layers"}, paramLabel = "L", defaultValue = "0", description = "expected layers (default: from the size)")
    int layers;

    @Option(names = "--node", paramLabel = "N", defaultValue = "-1", description = "dump index node N (node N is at N * 512)")
    long node;

    @Override
    public Integer call() throws Exception {
        TreeLayout layout;
        try (PreadTraversal db = PreadTraversal.open(file, BpfKvOptions.defaults().withLayers(layers)
                .withMode(BpfKvOptions.Mode.PREAD))) {
            layout = db.layout();
            System.out.printf(Locale.ROOT, "file          %s%n", file);
            System.out.printf(Locale.ROOT, "size          %,d bytes%n", db.fileSizeBytes());
            System.out.printf(Locale.ROOT, "layers        %d%n", layout.layers());
            System.out.printf(Locale.ROOT, "keys          %,d (0 .. %,d)%n", layout.keyCount(), layout.keyCount() - 1);
            System.out.printf(Locale.ROOT, "index nodes   %,d (%,d bytes)%n", layout.totalNodes(), layout.valueLogOffset());
            for (int l = 0; l < layout.layers(); l++) {
                System.out.printf(Locale.ROOT, "  level %d     %,d nodes from node %,d (offset %,d)%s%n", l, layout.nodesOnLevel(l),
                        layout.firstNodeOfLevel(l), layout.levelStartBytes(l), l == layout.layers() - 1 ? ", leaves" : "");
            }
            System.out.printf(Locale.ROOT, "value log     offset %,d, %,d blocks of 8 values%n", layout.valueLogOffset(),
                    layout.valueBlocks());
            System.out.printf(Locale.ROOT, "reads         %s, %d B aligned%n", db.direct() ? "O_DIRECT" : "buffered", db.readAlignment());
            System.out.println("root          valid");
        }
        if (node >= 0) {
            if (node >= layout.totalNodes()) {
                throw new IllegalArgumentException("node " + node + " outside 0.." + (layout.totalNodes() - 1));
            }
            dump(layout, node);
        }
        return 0;
    }

    private void dump(TreeLayout layout, long index) throws Exception {
        ByteBuffer bytes = ByteBuffer.allocate(NodeDescriptor.BLOCK_SIZE);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            channel.read(bytes, index * NodeDescriptor.BLOCK_SIZE);
        }
        MemorySegment node = MemorySegment.ofArray(bytes.array());
        long type = NodeDescriptor.type(node, 0);
        System.out.printf(Locale.ROOT, "%nnode %,d at offset %,d (level %d)%n", index, index * NodeDescriptor.BLOCK_SIZE,
                layout.levelOfNode(index));
        System.out.printf(Locale.ROOT, "  next  %,d%n", NodeDescriptor.next(node, 0));
        System.out.printf(Locale.ROOT, "  type  %s%n", type == NodeDescriptor.TYPE_LEAF ? "1 (leaf)"
                : type == NodeDescriptor.TYPE_INTERNAL ? "0 (internal)" : Long.toUnsignedString(type) + " (INVALID)");
        for (int k = 0; k < NodeDescriptor.FANOUT; k++) {
            long pointer = NodeDescriptor.ptr(node, 0, k);
            System.out.printf(Locale.ROOT, "  [%2d] key %,20d  ptr %s%,d%n", k, NodeDescriptor.key(node, 0, k),
                    NodeDescriptor.isFileOffset(pointer) ? "" : "(no bit 63!) ", NodeDescriptor.decode(pointer));
        }
    }
}
