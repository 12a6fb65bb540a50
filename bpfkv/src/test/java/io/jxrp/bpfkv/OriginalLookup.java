package io.jxrp.bpfkv;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The original BPF-KV's single-key lookup ({@code simplekv DB LAYERS get -k KEY}, its read() path,
 * which its XRP program mirrors hop for hop), re-implemented in Java from how the original behaves,
 * independent of jxrp's classes: read the node at offset 0; while its type word is not 1 (leaf),
 * follow the child pointer that {@code nxt_node} picks (the first k in 1..30 with
 * {@code key < key[k]}, unsigned, gives ptr[k-1]; none gives ptr[30]), with bit 63 cleared; at the
 * leaf the key must be one of its 31 keys ({@code key_exists}), and the value is the 64 bytes at the
 * pointer {@code nxt_node} picks in the leaf. The layer count the original is given plays no part in
 * this lookup; the descent stops at a leaf.
 */
public final class OriginalLookup implements AutoCloseable {
    private static final int NODE = 512;
    private static final int FANOUT = 31;
    private final FileChannel channel;

    public OriginalLookup(Path file) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
    }

    /** The 64-byte value slot of {@code key}, or empty when the original reports "Value not found". */
    public Optional<byte[]> get(long key) throws IOException {
        ByteBuffer node = read(0, NODE);
        int hops = 0;
        while (node.getLong(8) != 1) {
            if (++hops > 64) {
                throw new IOException("no leaf within 64 hops");
            }
            node = read(nxtNode(key, node) & ~(1L << 63), NODE);
        }
        boolean exists = false;
        for (int i = 0; i < FANOUT; i++) {
            exists |= node.getLong(16 + i * 8) == key;
        }
        if (!exists) {
            return Optional.empty();
        }
        ByteBuffer value = read(nxtNode(key, node) & ~(1L << 63), 64);
        byte[] bytes = new byte[64];
        value.get(0, bytes);
        return Optional.of(bytes);
    }

    private static long nxtNode(long key, ByteBuffer node) {
        for (int i = 1; i < FANOUT; i++) {
            if (Long.compareUnsigned(key, node.getLong(16 + i * 8)) < 0) {
                return node.getLong(16 + FANOUT * 8 + (i - 1) * 8);
            }
        }
        return node.getLong(16 + FANOUT * 8 + (FANOUT - 1) * 8);
    }

    private ByteBuffer read(long offset, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, offset + buffer.position()) < 0) {
                throw new IOException("read past the end at " + offset);
            }
        }
        return buffer.clear();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
