package io.jxrp.bpfkv.check;

import io.jxrp.bpfkv.format.ChecksumDescriptor;
import io.jxrp.bpfkv.format.TreeLayout;
import io.jxrp.bpfkv.io.BlockChecksums;
import io.jxrp.bpfkv.io.BlockReader;
import static io.jxrp.bpfkv.format.NodeDescriptor.BLOCK_SIZE;
import static io.jxrp.bpfkv.format.NodeDescriptor.VALUES_PER_BLOCK;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Verifies every block of a database against its checksum sidecar: reads the file front to back
 * (O_DIRECT where available, 1 MiB at a time) and reports every block whose CRC32C differs, and every
 * page of the sidecar that is itself damaged. What {@code bpfkv scrub} runs.
 */
public final class Scrub {
    /**
     * @param database     the file scrubbed
     * @param sidecar      its checksums
     * @param bytes        bytes read
     * @param problems     mismatching blocks and damaged sidecar pages, with their offsets
     * @param badBlocks    blocks whose CRC32C differs from the sidecar's
     * @param damagedPages sidecar pages whose own CRC fails (their blocks could not be verified)
     * @param elapsedNanos time taken
     */
    public record Report(Path database, Path sidecar, long bytes, Problems problems, long badBlocks, List<Long> damagedPages,
                         long elapsedNanos) {
        public boolean intact() {
            return problems.isEmpty();
        }

        public long blocks() {
            return bytes / BLOCK_SIZE;
        }
    }

    private Scrub() {
    }

    /**
     * Scrubs {@code database}.
     *
     * @param listed   problems to keep with their words (all are counted)
     * @param progress called as blocks are read
     * @throws java.nio.file.NoSuchFileException the database or its sidecar is missing
     * @throws io.jxrp.bpfkv.BpfKvFormatException the sidecar's header is bad or it belongs to another
     *     version of the file (nothing to verify against)
     */
    public static Report run(Path database, int listed, BlockChecksums.Progress progress) throws IOException {
        long started = System.nanoTime();
        long size = Files.size(database);
        BlockChecksums sums = BlockChecksums.read(database, size);
        Problems problems = new Problems(listed);
        for (long page : sums.damagedPages()) {
            long first = page * ChecksumDescriptor.ENTRIES_PER_PAGE;
            long last = Math.min(sums.blocks(), first + ChecksumDescriptor.ENTRIES_PER_PAGE) - 1;
            problems.add(ChecksumDescriptor.PAGE_SIZE * (1 + page), "sidecar " + sums.sidecar().getFileName() + " page "
                    + page + " is damaged: blocks " + first + ".." + last + " (offsets " + first * BLOCK_SIZE + ".."
                    + ((last + 1) * BLOCK_SIZE - 1) + ") cannot be verified");
        }
        int layers = TreeLayout.layersForSize(size);
        TreeLayout layout = layers > 0 ? new TreeLayout(layers) : null;
        long[] bad = {0};
        try (BlockReader reader = BlockReader.open(database, 0, false)) {
            BlockChecksums.readBlocks(reader, size, progress, (firstBlock, data, count) -> {
                for (int i = 0; i < count; i++) {
                    long block = firstBlock + i;
                    if (sums.unverifiable(block)) {
                        continue;
                    }
                    int actual = ChecksumDescriptor.blockCrc(data, (long) i * BLOCK_SIZE);
                    int expected = sums.expected(block);
                    if (actual != expected) {
                        bad[0]++;
                        problems.add(block * BLOCK_SIZE, String.format("%s: CRC32C 0x%08x, the sidecar has 0x%08x",
                                describe(layout, block), actual, expected));
                    }
                }
            });
        }
        return new Report(database, sums.sidecar(), size, problems, bad[0], sums.damagedPages(), System.nanoTime() - started);
    }

    /** What a block of a BPF-KV file is, in words. */
    static String describe(TreeLayout layout, long block) {
        if (layout == null) {
            return "block " + block;
        }
        if (block < layout.totalNodes()) {
            return "index node " + block + " (level " + layout.levelOfNode(block) + ")";
        }
        long valueBlock = block - layout.totalNodes();
        long firstKey = valueBlock * VALUES_PER_BLOCK;
        long lastKey = Math.min(firstKey + VALUES_PER_BLOCK, layout.keyCount()) - 1;
        return firstKey >= layout.keyCount() ? "value-log block " + valueBlock + " (padding only)"
                : "value-log block " + valueBlock + " (keys " + firstKey + ".." + lastKey + ")";
    }
}
