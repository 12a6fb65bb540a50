package io.jxrp.bpfkv;

import io.jxrp.bpfkv.format.TreeLayout;
import io.jxrp.bpfkv.format.ChecksumDescriptor;
import io.jxrp.bpfkv.io.DbBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The independent model of a BPF-KV database, written from the format's definition without the
 * production classes: key K -> "%63d" of K plus a NUL, keys 0 .. 31^L - 1, and a byte generator
 * that follows the original creator's loop (running node and pointer counters).
 */
public final class Model {
    public static final int FANOUT = 31;

    public final int layers;
    public final long keyCount;
    public final long totalNodes;

    public Model(int layers) {
        this.layers = layers;
        long cap = 1;
        long total = 0;
        for (int i = 0; i < layers; i++) {
            total += cap;
            cap *= FANOUT;
        }
        this.totalNodes = total;
        this.keyCount = cap;
    }

    /** The value as stored and returned: "%63d" of the key (the slot's 64th byte, a NUL, is padding). */
    public static byte[] value(long key) {
        return String.format("%63d", key).getBytes(StandardCharsets.US_ASCII);
    }

    /** The 64-byte slot as on disk. */
    public static byte[] slot(long key) {
        return java.util.Arrays.copyOf(value(key), 64);
    }

    public boolean contains(long key) {
        return key >= 0 && key < keyCount;
    }

    /** Keys of the range in order, by brute force over the definition of the flags (keys and bounds unsigned). */
    public List<Long> keys(long begin, long end, boolean beginExclusive, boolean endInclusive) {
        List<Long> keys = new ArrayList<>();
        if (Long.compareUnsigned(begin, keyCount) > 0) {
            return keys;
        }
        long from = Math.max(0, begin - 1);
        long to = Long.compareUnsigned(end, keyCount - 1) < 0 ? end + 1 : keyCount - 1;
        for (long k = from; k <= to && k < keyCount; k++) {
            boolean afterBegin = beginExclusive ? Long.compareUnsigned(k, begin) > 0 : Long.compareUnsigned(k, begin) >= 0;
            boolean beforeEnd = endInclusive ? Long.compareUnsigned(k, end) <= 0 : Long.compareUnsigned(k, end) < 0;
            if (afterBegin && beforeEnd) {
                keys.add(k);
            }
        }
        return keys;
    }

    /** The whole file, generated the way the original's create loop does. */
    public byte[] fileBytes() {
        long[] layerCap = new long[layers];
        layerCap[0] = 1;
        for (int i = 1; i < layers; i++) {
            layerCap[i] = layerCap[i - 1] * FANOUT;
        }
        long valueBlocks = (keyCount + 7) / 8;
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact((totalNodes + valueBlocks) * 512)).order(ByteOrder.LITTLE_ENDIAN);
        long nextPos = 1;
        long nextNodeOffset = 1;
        for (int i = 0; i < layers; i++) {
            long extent = keyCount / layerCap[i];
            long startKey = 0;
            for (long j = 0; j < layerCap[i]; j++, nextNodeOffset++) {
                boolean leaf = i == layers - 1;
                long subExtent = extent / FANOUT;
                out.putLong(j == layerCap[i] - 1 ? 0 : nextNodeOffset * 512);
                out.putLong(leaf ? 1 : 0);
                long[] ptrs = new long[FANOUT];
                for (int k = 0; k < FANOUT; k++) {
                    out.putLong(startKey + k * subExtent);
                    ptrs[k] = (leaf ? totalNodes * 512 + (nextPos - totalNodes) * 64 : nextPos * 512) | (1L << 63);
                    nextPos++;
                }
                for (long p : ptrs) {
                    out.putLong(p);
                }
                startKey += extent;
            }
        }
        for (long i = 0; i < keyCount; i += 8) {
            for (int j = 0; j < 8; j++) {
                out.put(slot(i + j));
            }
        }
        return out.array();
    }

    /** The database of {@code layers} layers as create makes it, without a checksum sidecar (as the original's). */
    public static Path database(int layers) throws IOException {
        Path file = testDir().resolve("model-L" + layers + ".db");
        synchronized (Model.class) {
            ensure(file, layers, false);
            Files.deleteIfExists(ChecksumDescriptor.sidecarOf(file));
        }
        return file;
    }

    /** The database of {@code layers} layers with its checksum sidecar, as create makes them. */
    public static Path checksummedDatabase(int layers) throws IOException {
        Path file = testDir().resolve("model-L" + layers + "-crc.db");
        synchronized (Model.class) {
            ensure(file, layers, !Files.exists(ChecksumDescriptor.sidecarOf(file)));
        }
        return file;
    }

    private static void ensure(Path file, int layers, boolean rebuild) throws IOException {
        long expected = new TreeLayout(layers).fileSizeBytes();
        if (rebuild || !Files.exists(file) || Files.size(file) != expected) {
            DbBuilder.create(file, layers, DbBuilder.Options.defaults().withForce(true)
                    .withChecksums(file.getFileName().toString().endsWith("-crc.db")));
        }
    }

    public static Path testDir() throws IOException {
        // not /tmp: it may be tmpfs, which has no O_DIRECT
        Path dir = Path.of("target", "test-dbs").toAbsolutePath();
        Files.createDirectories(dir);
        return dir;
    }

    public static long seed() {
        String given = System.getProperty("bpfkv.seed");
        long seed = given != null ? Long.parseLong(given) : System.nanoTime();
        System.out.println("seed " + seed + " (re-run with -Dbpfkv.seed=" + seed + ")");
        return seed;
    }
}
