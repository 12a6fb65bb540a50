package io.jxrp.bpfkv.io;

import io.jxrp.bpfkv.KeyValue;
import io.jxrp.bpfkv.format.NodeDescriptor;
import io.jxrp.bpfkv.format.TreeLayout;
import static io.jxrp.bpfkv.format.NodeDescriptor.BLOCK_SIZE;
import static io.jxrp.bpfkv.format.NodeDescriptor.FANOUT;
import static io.jxrp.bpfkv.format.NodeDescriptor.U64;
import static io.jxrp.bpfkv.format.NodeDescriptor.VALUES_PER_BLOCK;
import static io.jxrp.bpfkv.format.NodeDescriptor.VALUE_SIZE;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;

/**
 * Bulk load: the user's pairs, in any order, into a packed BPF-KV file in the original's layout
 * ({@link TreeLayout}: root at offset 0, the levels breadth-first, every leaf full but the last,
 * then the values in key order), written like {@code create} (large aligned O_DIRECT writes, several
 * in flight, one fsync) to a temporary file that replaces the target only once complete.
 *
 * <p>Duplicate keys: the last pair of a key wins, as the same pairs given to {@code put} one after
 * another would; {@link Result#duplicates()} counts the pairs it replaced. The pairs are sorted in
 * memory (about 80 bytes per pair on the heap) before anything is written, so a bad pair fails the
 * load with nothing written.
 */
public final class DbLoader {
    /**
     * @param build      the file written
     * @param pairsRead  pairs taken from the input
     * @param duplicates pairs replaced by a later pair of the same key
     */
    public record Result(DbBuilder.Result build, long pairsRead, long duplicates) {
    }

    private DbLoader() {
    }

    /** Loads {@code pairs} into {@code file} (refused when it exists, unless {@code options} force it). */
    public static Result load(Path file, Iterator<KeyValue> pairs, DbBuilder.Options options) throws IOException {
        return write(file, Sorted.of(pairs), options, false);
    }

    /**
     * Writes {@code pairs}, already in ascending unsigned key order without duplicates (a checkpoint's
     * merge), into {@code file}, replacing it once complete; the database's write-ahead log stays.
     */
    public static Result loadSorted(Path file, Iterator<KeyValue> pairs, DbBuilder.Options options) throws IOException {
        return write(file, Sorted.ofSorted(pairs), options.withForce(true), true);
    }

    private static Result write(Path file, Sorted sorted, DbBuilder.Options options, boolean keepLogs) throws IOException {
        boolean dense = sorted.count > 0 && sorted.key(0) == 0 && sorted.key(sorted.count - 1) == sorted.count - 1;
        TreeLayout layout = TreeLayout.forKeys(sorted.count, dense);
        DbBuilder.Result build = DbBuilder.write(file, layout, new PackedBlocks(layout, sorted), options, true, keepLogs);
        return new Result(build, sorted.read, sorted.read - sorted.count);
    }

    /** Pairs sorted by key (unsigned), the last of each key kept; keys and padded values in arrays. */
    static final class Sorted {
        final long[] keys;
        /** 64 bytes per pair, NUL-padded. */
        final byte[][] valueChunks;
        final int[] order;
        final int count;
        final long read;

        private static final int CHUNK_VALUES = 1 << 16;

        private Sorted(long[] keys, byte[][] valueChunks, int[] order, int count, long read) {
            this.keys = keys;
            this.valueChunks = valueChunks;
            this.order = order;
            this.count = count;
            this.read = read;
        }

        static Sorted ofSorted(Iterator<KeyValue> pairs) {
            Sorted collected = collect(pairs);
            for (int i = 1; i < collected.count; i++) {
                if (Long.compareUnsigned(collected.keys[i - 1], collected.keys[i]) >= 0) {
                    throw new IllegalArgumentException("pairs not in ascending key order at pair " + (i + 1));
                }
            }
            return collected;
        }

        static Sorted of(Iterator<KeyValue> pairs) {
            Sorted collected = collect(pairs);
            int n = collected.count;
            long[] keys = collected.keys;
            int[] order = collected.order;
            sortByKeyThenInput(order, keys);
            // keep the last pair of each key (stable sort: input order among equal keys)
            int kept = 0;
            for (int i = 0; i < n; i++) {
                if (i + 1 < n && keys[order[i + 1]] == keys[order[i]]) {
                    continue;
                }
                order[kept++] = order[i];
            }
            return new Sorted(keys, collected.valueChunks, order, kept, n);
        }

        private static Sorted collect(Iterator<KeyValue> pairs) {
            long[] keys = new long[1024];
            byte[][] chunks = new byte[4][];
            int n = 0;
            while (pairs.hasNext()) {
                KeyValue pair = pairs.next();
                String problem = NodeDescriptor.checkKey(pair.key());
                if (problem == null) {
                    problem = NodeDescriptor.checkValue(pair.value());
                }
                if (problem != null) {
                    throw new IllegalArgumentException("pair " + (n + 1) + ": " + problem);
                }
                if (n == Integer.MAX_VALUE - 8) {
                    throw new IllegalArgumentException("more than " + n + " pairs: load them in parts with put --from");
                }
                if (n == keys.length) {
                    keys = Arrays.copyOf(keys, (int) Math.min(Integer.MAX_VALUE - 8, keys.length * 2L));
                }
                int chunk = n / CHUNK_VALUES;
                if (chunk == chunks.length) {
                    chunks = Arrays.copyOf(chunks, chunks.length * 2);
                }
                if (chunks[chunk] == null) {
                    chunks[chunk] = new byte[CHUNK_VALUES * VALUE_SIZE];
                }
                keys[n] = pair.key();
                System.arraycopy(pair.value(), 0, chunks[chunk], (n % CHUNK_VALUES) * VALUE_SIZE, pair.value().length);
                n++;
            }
            int[] order = new int[n];
            Arrays.setAll(order, i -> i);
            return new Sorted(keys, chunks, order, n, n);
        }

        long key(long rank) {
            return keys[order[(int) rank]];
        }

        void copyValue(long rank, byte[] target, int offset) {
            int index = order[(int) rank];
            System.arraycopy(valueChunks[index / CHUNK_VALUES], (index % CHUNK_VALUES) * VALUE_SIZE, target, offset,
                    VALUE_SIZE);
        }

        /** Merge sort of indices by unsigned key, ties in index order (stable). */
        private static void sortByKeyThenInput(int[] order, long[] keys) {
            int n = order.length;
            int[] buffer = new int[n];
            int[] from = order;
            int[] to = buffer;
            for (int width = 1; width < n; width *= 2) {
                for (int low = 0; low < n; low += 2 * width) {
                    int mid = Math.min(low + width, n);
                    int high = Math.min(low + 2 * width, n);
                    int i = low;
                    int j = mid;
                    int k = low;
                    while (i < mid && j < high) {
                        to[k++] = Long.compareUnsigned(keys[from[j]], keys[from[i]]) < 0 ? from[j++] : from[i++];
                    }
                    while (i < mid) {
                        to[k++] = from[i++];
                    }
                    while (j < high) {
                        to[k++] = from[j++];
                    }
                }
                int[] swap = from;
                from = to;
                to = swap;
            }
            if (from != order) {
                System.arraycopy(from, 0, order, 0, n);
            }
        }
    }

    /**
     * The blocks of a packed file by formula: node b of level l (index j in its level) covers the
     * keys of rank j * 31^(L-l) onwards, its child c's first key is the key of rank
     * c * 31^(L-l-1); a leaf points at the value slots of its keys' ranks.
     */
    static final class PackedBlocks implements DbBuilder.BlockSource {
        private final TreeLayout layout;
        private final Sorted pairs;
        private final long[] span;
        private final byte[] valueBlock = new byte[BLOCK_SIZE];
        private final MemorySegment valueBlockSegment = MemorySegment.ofArray(valueBlock);

        PackedBlocks(TreeLayout layout, Sorted pairs) {
            this.layout = layout;
            this.pairs = pairs;
            this.span = new long[layout.layers() + 1];
            span[layout.layers()] = 1;
            for (int l = layout.layers() - 1; l >= 0; l--) {
                span[l] = span[l + 1] * FANOUT; // keys under one full node of level l
            }
        }

        @Override
        public void generate(long firstBlock, int blocks, MemorySegment target) {
            long totalNodes = layout.totalNodes();
            for (int i = 0; i < blocks; i++) {
                long block = firstBlock + i;
                long base = (long) i * BLOCK_SIZE;
                if (block < totalNodes) {
                    writeNode(block, layout.levelOfNode(block), target, base);
                } else {
                    writeValueBlock(block - totalNodes, target, base);
                }
            }
        }

        private void writeNode(long node, int level, MemorySegment target, long base) {
            long indexInLevel = node - layout.firstNodeOfLevel(level);
            boolean leaf = level == layout.layers() - 1;
            boolean last = indexInLevel == layout.nodesOnLevel(level) - 1;
            target.set(U64, base + NodeDescriptor.NEXT_OFFSET, last ? 0 : (node + 1) * BLOCK_SIZE);
            target.set(U64, base + NodeDescriptor.TYPE_OFFSET, leaf ? NodeDescriptor.TYPE_LEAF : NodeDescriptor.TYPE_INTERNAL);
            long childSpan = span[level + 1];
            long firstChild = indexInLevel * FANOUT;
            for (int k = 0; k < FANOUT; k++) {
                long child = firstChild + k; // a rank for a leaf, a node index in the level below otherwise
                long firstRank = child * childSpan;
                boolean used = firstRank < pairs.count;
                long key = used ? pairs.key(firstRank) : NodeDescriptor.EMPTY_KEY;
                long pointer = !used ? 0 : NodeDescriptor.encode(leaf ? layout.valueOffsetOfRank(child)
                        : (layout.firstNodeOfLevel(level + 1) + child) * BLOCK_SIZE);
                target.set(U64, base + NodeDescriptor.keyOffset(k), key);
                target.set(U64, base + NodeDescriptor.ptrOffset(k), pointer);
            }
        }

        private void writeValueBlock(long valueBlockIndex, MemorySegment target, long base) {
            long firstRank = valueBlockIndex * VALUES_PER_BLOCK;
            Arrays.fill(valueBlock, (byte) 0);
            for (int j = 0; j < VALUES_PER_BLOCK && firstRank + j < pairs.count; j++) {
                pairs.copyValue(firstRank + j, valueBlock, j * VALUE_SIZE);
            }
            MemorySegment.copy(valueBlockSegment, 0, target, base, BLOCK_SIZE);
        }
    }
}
