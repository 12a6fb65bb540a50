package io.jxrp.bpfkv.store;

import io.jxrp.bpfkv.BpfKvFormatException;
import io.jxrp.bpfkv.KeyValue;
import io.jxrp.bpfkv.format.NodeDescriptor;
import io.jxrp.bpfkv.format.TreeLayout;
import static io.jxrp.bpfkv.format.NodeDescriptor.BLOCK_SIZE;
import static io.jxrp.bpfkv.format.NodeDescriptor.FANOUT;
import static io.jxrp.bpfkv.format.NodeDescriptor.VALUE_SIZE;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Every pair of a packed file in key order, read sequentially in large chunks: the leaf level and
 * the value log are both contiguous and in key order, so a checkpoint reads each once. Each leaf's
 * keys must ascend and its value pointers be the slots of their ranks (the packed layout): anything
 * else is a {@link BpfKvFormatException} with its offset (wrapped in an UncheckedIOException).
 */
final class PackedScanner implements Iterator<KeyValue>, AutoCloseable {
    private static final int CHUNK = 1 << 20;

    private final Path file;
    private final TreeLayout layout;
    private final FileChannel channel;
    private final Chunked leaves;
    private final Chunked values;
    private long rank;
    private long previousKey;

    PackedScanner(Path file, TreeLayout layout) throws IOException {
        this.file = file;
        this.layout = layout;
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        this.leaves = new Chunked(layout.levelStartBytes(layout.layers() - 1));
        this.values = new Chunked(layout.valueLogOffset());
    }

    @Override
    public boolean hasNext() {
        return rank < layout.keyCount();
    }

    @Override
    public KeyValue next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        try {
            long leafOffset = layout.leafOffsetOfRank(rank);
            int slot = (int) (rank % FANOUT);
            MemorySegment leaf = leaves.at(leafOffset, BLOCK_SIZE);
            long key = NodeDescriptor.key(leaf, 0, slot);
            long pointer = NodeDescriptor.ptr(leaf, 0, slot);
            long expected = layout.valueOffsetOfRank(rank);
            if ((slot == 0 && NodeDescriptor.type(leaf, 0) != NodeDescriptor.TYPE_LEAF)
                    || key == NodeDescriptor.EMPTY_KEY || (rank > 0 && Long.compareUnsigned(key, previousKey) <= 0)) {
                throw new BpfKvFormatException(file, leafOffset + NodeDescriptor.keyOffset(slot), "leaf slot " + slot
                        + " does not hold the key of rank " + rank + " in ascending order");
            }
            if (pointer != NodeDescriptor.encode(expected)) {
                throw new BpfKvFormatException(file, leafOffset + NodeDescriptor.ptrOffset(slot), "value pointer 0x"
                        + Long.toHexString(pointer) + " is not the slot of rank " + rank + " (offset " + expected + ")");
            }
            previousKey = key;
            rank++;
            return new KeyValue(key, NodeDescriptor.valueOf(values.at(expected, VALUE_SIZE), 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** A forward-only window over one region of the file. */
    private final class Chunked {
        private final ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
        private final MemorySegment segment = MemorySegment.ofBuffer(buffer);
        private long start;
        private long end;

        Chunked(long from) {
            this.start = from;
            this.end = from;
        }

        MemorySegment at(long offset, int length) throws IOException {
            if (offset < start || offset + length > end) {
                start = offset;
                buffer.clear();
                while (buffer.hasRemaining()) {
                    int n = channel.read(buffer, start + buffer.position());
                    if (n < 0) {
                        break;
                    }
                }
                end = start + buffer.position();
                if (offset + length > end) {
                    throw new BpfKvFormatException(file, offset, "the file ends before offset " + (offset + length));
                }
            }
            return segment.asSlice(offset - start, length);
        }
    }
}
