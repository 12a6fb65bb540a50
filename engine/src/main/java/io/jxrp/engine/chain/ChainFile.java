package io.jxrp.engine.chain;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

/**
 * An on-disk array for pointer chasing (the XRP follow-up's easyArray), the engine's reference
 * workload: every hop depends on the block before it. Record i is 512 bytes,
 * {@code u64 next} at 0 and {@code u64 payload} at 8, the rest a fill pattern. {@link #next} and
 * {@link #payload} are the in-memory model the engine's answers are checked against.
 */
public final class ChainFile {
    public static final int RECORD = 512;

    public final Path path;
    public final long[] next;
    public final long[] payload;

    private ChainFile(Path path, long[] next, long[] payload) {
        this.path = path;
        this.next = next;
        this.payload = payload;
    }

    /** A random permutation of {@code records} entries (so chains wander the whole file), seeded. */
    public static ChainFile create(Path path, int records, long seed) throws IOException {
        Random rnd = new Random(seed);
        long[] next = new long[records];
        long[] payload = new long[records];
        int[] perm = new int[records];
        for (int i = 0; i < records; i++) {
            perm[i] = i;
        }
        for (int i = records - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        for (int i = 0; i < records; i++) {
            next[perm[i]] = perm[(i + 1) % records];
            payload[i] = rnd.nextLong();
        }
        write(path, next, payload);
        return new ChainFile(path, next, payload);
    }

    /** Rewrites the file with the given model (used by tests that change a file under a running engine). */
    public static ChainFile write(Path path, long[] next, long[] payload) throws IOException {
        Files.createDirectories(path.toAbsolutePath().getParent());
        ByteBuffer block = ByteBuffer.allocate(RECORD * 256).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (int base = 0; base < next.length; base += 256) {
                block.clear();
                int n = Math.min(256, next.length - base);
                for (int k = 0; k < n; k++) {
                    int i = base + k;
                    block.putLong(next[i]).putLong(payload[i]);
                    for (int w = 2; w < RECORD / 8; w++) {
                        block.putLong(i * 1_000_003L + w);
                    }
                }
                block.flip();
                while (block.hasRemaining()) {
                    ch.write(block);
                }
            }
            ch.force(true);
        }
        return new ChainFile(path, next.clone(), payload.clone());
    }

    /** What a chain of {@code hops} reads starting at {@code start} yields: xor of payloads, last index. */
    public long[] expect(int start, int hops) {
        long xor = 0;
        long idx = start;
        for (int h = 0; h < hops; h++) {
            xor ^= payload[(int) idx];
            idx = next[(int) idx];
        }
        return new long[] {xor, idx};
    }
}
