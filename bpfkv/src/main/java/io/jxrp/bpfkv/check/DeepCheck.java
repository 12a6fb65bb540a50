package io.jxrp.bpfkv.check;

import io.jxrp.bpfkv.BpfKvFormatException;
import io.jxrp.bpfkv.format.ChecksumDescriptor;
import io.jxrp.bpfkv.format.NodeDescriptor;
import io.jxrp.bpfkv.format.TreeLayout;
import io.jxrp.bpfkv.io.BlockChecksums;
import io.jxrp.bpfkv.io.BlockReader;
import static io.jxrp.bpfkv.format.NodeDescriptor.BLOCK_SIZE;
import static io.jxrp.bpfkv.format.NodeDescriptor.FANOUT;
import static io.jxrp.bpfkv.format.NodeDescriptor.VALUES_PER_BLOCK;
import static io.jxrp.bpfkv.format.NodeDescriptor.VALUE_SIZE;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code bpfkv inspect --deep}: reads every node and every value of a database once, front to back,
 * and reports every problem with its byte offset, instead of stopping at the first as a lookup does.
 *
 * <p>Per node: the type its level needs; the key rules ({@link NodeDescriptor#firstBadKey}: used keys
 * ascending, inside the range the layout gives the node); child pointers (bit 63, 512-aligned, into the
 * next level) and value pointers (bit 63, in the value log, at the key's own slot); the {@code next}
 * word. Where the layout fixes them ({@link TreeLayout#fixesValueSlots()}: create's files) every key,
 * pointer and {@code next} word must be exactly create's. Per value: decimal text, and in create's
 * layout the key's own number. With a checksum sidecar, every block against it.
 */
public final class DeepCheck {
    /**
     * @param nodes        index nodes walked
     * @param values       values read (the padding after the last key included)
     * @param checksummed  whether the blocks were verified against a sidecar
     * @param problems     what was found, with offsets
     */
    public record Report(Path database, TreeLayout layout, long nodes, long values, boolean checksummed, Problems problems,
                         long elapsedNanos) {
        public boolean intact() {
            return problems.isEmpty();
        }
    }

    private DeepCheck() {
    }

    /**
     * Walks {@code database}.
     *
     * @param listed   problems to keep with their words (all are counted)
     * @param progress called as the file is read
     * @throws BpfKvFormatException the size matches no layer count (nothing to walk), or the
     *     sidecar's header is bad or stale
     */
    public static Report run(Path database, int layersOverride, int listed, BlockChecksums.Progress progress)
            throws IOException {
        long started = System.nanoTime();
        long size = Files.size(database);
        TreeLayout layout = io.jxrp.bpfkv.ops.PreadTraversal.discover(database, layersOverride);
        Problems problems = new Problems(listed);
        BlockChecksums sums = null;
        if (Files.exists(ChecksumDescriptor.sidecarOf(database))) {
            sums = BlockChecksums.read(database, size);
            for (long page : sums.damagedPages()) {
                problems.add(ChecksumDescriptor.PAGE_SIZE * (1 + page), "sidecar " + sums.sidecar().getFileName() + " page "
                        + page + " is damaged: its blocks cannot be verified");
            }
        }
        Walk walk = new Walk(layout, size, problems, Optional.ofNullable(sums));
        try (BlockReader reader = BlockReader.open(database, 0, false)) {
            BlockChecksums.readBlocks(reader, size, progress, walk::blocks);
        }
        return new Report(database, layout, walk.nodes, walk.values, sums != null, problems, System.nanoTime() - started);
    }

    /** The walk's state: blocks arrive in file order. */
    private static final class Walk {
        private final TreeLayout layout;
        private final long fileSize;
        private final Problems problems;
        private final BlockChecksums sums;
        private final boolean fixed;
        private final int lastLevel;
        private final byte[] text = new byte[VALUE_SIZE];
        long nodes;
        long values;

        Walk(TreeLayout layout, long fileSize, Problems problems, Optional<BlockChecksums> sums) {
            this.layout = layout;
            this.fileSize = fileSize;
            this.problems = problems;
            this.sums = sums.orElse(null);
            this.fixed = layout.fixesValueSlots();
            this.lastLevel = layout.layers() - 1;
        }

        void blocks(long firstBlock, MemorySegment data, int count) {
            for (int i = 0; i < count; i++) {
                long block = firstBlock + i;
                long base = (long) i * BLOCK_SIZE;
                long offset = block * BLOCK_SIZE;
                if (sums != null && !sums.unverifiable(block)) {
                    int actual = ChecksumDescriptor.blockCrc(data, base);
                    if (actual != sums.expected(block)) {
                        problems.add(offset, String.format("%s: CRC32C 0x%08x, the sidecar has 0x%08x",
                                Scrub.describe(layout, block), actual, sums.expected(block)));
                    }
                }
                if (block < layout.totalNodes()) {
                    node(data, base, block);
                    nodes++;
                } else {
                    valueBlock(data, base, block - layout.totalNodes());
                }
            }
        }

        private void node(MemorySegment data, long base, long node) {
            long offset = node * BLOCK_SIZE;
            int level = layout.levelOfNode(node);
            boolean leaf = level == lastLevel;
            long indexInLevel = node - layout.firstNodeOfLevel(level);
            String typeProblem = NodeDescriptor.checkType(NodeDescriptor.type(data, base), leaf);
            if (typeProblem != null) {
                problems.add(offset + NodeDescriptor.TYPE_OFFSET, "node " + node + " (level " + level + "): " + typeProblem);
            }
            // the keys the layout gives this node: [first, first + span)
            long span = layout.keysPerNode(level);
            long lo = indexInLevel * span;
            long hi = lo + span;
            int bad = NodeDescriptor.firstBadKey(data, base, lo, hi, !leaf);
            if (bad >= 0) {
                problems.add(offset + NodeDescriptor.keyOffset(Math.min(bad, FANOUT - 1)), "node " + node + " (level " + level
                        + "): " + NodeDescriptor.describeBadKey(data, base, bad, lo, hi));
            }
            long childSpan = leaf ? 1 : layout.keysPerNode(level + 1);
            long next = NodeDescriptor.next(data, base);
            boolean lastOfLevel = indexInLevel == layout.nodesOnLevel(level) - 1;
            long expectedNext = lastOfLevel ? 0 : offset + BLOCK_SIZE;
            if (leaf) {
                String nextProblem = NodeDescriptor.checkNextLeaf(next, offset, layout.levelStartBytes(lastLevel),
                        layout.levelEndBytes(lastLevel));
                if (nextProblem != null) {
                    problems.add(offset + NodeDescriptor.NEXT_OFFSET, "leaf " + node + ": " + nextProblem);
                } else if (fixed && next != expectedNext) {
                    problems.add(offset + NodeDescriptor.NEXT_OFFSET, "leaf " + node + ": next is " + next
                            + ", create's layout has " + expectedNext);
                }
            } else if (fixed && next != expectedNext) {
                problems.add(offset + NodeDescriptor.NEXT_OFFSET, "node " + node + " (level " + level + "): next is " + next
                        + ", create's layout has " + expectedNext);
            }
            for (int k = 0; k < FANOUT; k++) {
                long key = NodeDescriptor.key(data, base, k);
                long expectedKey = lo + k * childSpan;
                if (fixed && key != expectedKey && (bad < 0 || k != bad)) { // a broken rule was reported above
                    problems.add(offset + NodeDescriptor.keyOffset(k), "node " + node + " (level " + level + "): key[" + k
                            + "] is " + Long.toUnsignedString(key) + ", create's layout has " + expectedKey);
                }
                if (key == NodeDescriptor.EMPTY_KEY && !fixed) {
                    continue;
                }
                long pointer = NodeDescriptor.ptr(data, base, k);
                long pointerOffset = offset + NodeDescriptor.ptrOffset(k);
                String problem;
                long expected;
                if (leaf) {
                    problem = NodeDescriptor.checkValuePointer(pointer, layout.valueLogOffset(), fileSize);
                    if (problem == null && fixed) {
                        problem = NodeDescriptor.checkValueSlot(pointer, expectedKey, layout.valueLogOffset());
                    }
                    expected = -1;
                } else {
                    problem = NodeDescriptor.checkChildPointer(pointer, layout.levelStartBytes(level + 1),
                            layout.levelEndBytes(level + 1));
                    expected = (layout.firstNodeOfLevel(level + 1) + indexInLevel * FANOUT + k) * BLOCK_SIZE;
                    if (problem == null && fixed && NodeDescriptor.decode(pointer) != expected) {
                        problem = "child pointer to offset " + NodeDescriptor.decode(pointer) + ", create's layout has "
                                + expected;
                    }
                }
                if (problem != null) {
                    problems.add(pointerOffset, "node " + node + " (level " + level + "): ptr[" + k + "]: " + problem);
                }
            }
        }

        private void valueBlock(MemorySegment data, long base, long valueBlock) {
            for (int v = 0; v < VALUES_PER_BLOCK; v++) {
                long key = valueBlock * VALUES_PER_BLOCK + v;
                long at = base + (long) v * VALUE_SIZE;
                long offset = layout.valueLogOffset() + key * VALUE_SIZE;
                long parsed = NodeDescriptor.parseValue(data, at);
                values++;
                if (parsed < 0) {
                    problems.add(offset, "value " + (key < layout.keyCount() ? "of key " + key : "slot " + key + " (padding)")
                            + " is not decimal text: \"" + printable(data, at) + "\"");
                } else if (fixed) {
                    NodeDescriptor.formatValue(key, text, 0);
                    if (MemorySegment.ofArray(text).mismatch(data.asSlice(at, VALUE_SIZE)) != -1) {
                        problems.add(offset, "value " + (key < layout.keyCount() ? "of key " + key : "slot " + key
                                + " (padding)") + " is \"" + printable(data, at) + "\", create's layout has " + key
                                + " right-aligned in 63 characters and a NUL");
                    }
                }
            }
        }

        private static String printable(MemorySegment data, long at) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < VALUE_SIZE; i++) {
                byte b = data.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at + i);
                if (b == 0 && i == VALUE_SIZE - 1) {
                    break;
                }
                out.append(b >= 0x20 && b < 0x7f ? (char) b : '?');
            }
            return out.toString().strip();
        }
    }
}
