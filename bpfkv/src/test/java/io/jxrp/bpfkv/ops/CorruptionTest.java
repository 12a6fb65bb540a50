package io.jxrp.bpfkv.ops;

import io.jxrp.bpfkv.BpfKvFormatException;
import io.jxrp.bpfkv.BpfKvOptions;
import io.jxrp.bpfkv.KeyRange;
import io.jxrp.bpfkv.Model;
import io.jxrp.bpfkv.format.NodeDescriptor;
import io.jxrp.bpfkv.format.TreeLayout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Bad input gives a BpfKvFormatException naming the file, the offset and the problem; never a hang or a wrong value. */
@Timeout(60)
class CorruptionTest {
    private static final TreeLayout L3 = new TreeLayout(3);

    private static Path copy(String name) throws IOException {
        Path file = Model.testDir().resolve("corrupt-" + name + ".db");
        Files.copy(Model.database(3), file, StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    private static void putLong(Path file, long offset, long value) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, value);
            channel.write(bytes, offset);
        }
    }

    private static long getLong(Path file, long offset) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer bytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(bytes, offset);
            return bytes.getLong(0);
        }
    }

    private static BpfKvFormatException expectFormatError(Path file, long offset, String problemPart,
                                                          ThrowingAction action) {
        BpfKvFormatException e = assertThrows(BpfKvFormatException.class, action::run);
        assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
        assertEquals(offset, e.offset(), "offset in: " + e.getMessage());
        assertTrue(e.getMessage().contains("offset " + offset), "names the offset: " + e.getMessage());
        assertTrue(e.problem().contains(problemPart), "problem '" + problemPart + "' in: " + e.getMessage());
        return e;
    }

    interface ThrowingAction {
        void run() throws Exception;
    }

    @Test
    void notADatabase() throws IOException {
        Path file = Model.testDir().resolve("corrupt-text.db");
        Files.writeString(file, "hello, not a tree\n".repeat(100));
        expectFormatError(file, NodeDescriptor.TYPE_OFFSET, "is neither 0 (internal) nor 1 (leaf)",
                () -> PreadTraversal.open(file, BpfKvOptions.defaults()).close());
        Path tiny = Model.testDir().resolve("corrupt-tiny.db");
        Files.writeString(tiny, "short");
        expectFormatError(tiny, 5, "not a BPF-KV database", () -> PreadTraversal.open(tiny, BpfKvOptions.defaults()).close());
    }

    @Test
    void truncated() throws IOException {
        Path file = copy("truncated");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(L3.fileSizeBytes() - 512);
        }
        expectFormatError(file, L3.fileSizeBytes() - 512, "truncated",
                () -> PreadTraversal.open(file, BpfKvOptions.defaults()).close());
    }

    @Test
    void wrongLayerOverride() throws IOException {
        Path file = Model.database(3);
        expectFormatError(file, 0, "the file has 3 layers (found by descending from the root), not 4",
                () -> PreadTraversal.open(file, BpfKvOptions.defaults().withLayers(4)).close());
    }

    @Test
    void rootWithBadType() throws IOException {
        Path file = copy("root-type");
        putLong(file, NodeDescriptor.TYPE_OFFSET, 7);
        expectFormatError(file, NodeDescriptor.TYPE_OFFSET, "node type 7",
                () -> PreadTraversal.open(file, BpfKvOptions.defaults()).close());
    }

    @Test
    void leafWithBadTypeFailsTheLookup() throws Exception {
        Path file = copy("leaf-type");
        long key = 1000;
        long leaf = L3.leafOffsetOf(key);
        putLong(file, leaf + NodeDescriptor.TYPE_OFFSET, 7);
        try (PreadTraversal db = PreadTraversal.open(file, BpfKvOptions.defaults())) {
            expectFormatError(file, leaf + NodeDescriptor.TYPE_OFFSET, "node type 7", () -> db.get(key));
            assertTrue(db.get(key + 31).isPresent(), "other leaves still work");
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> db.range(900, 1100, false, false).toList());
            assertTrue(e.getCause() instanceof BpfKvFormatException, e.toString());
            expectFormatError(file, leaf + NodeDescriptor.TYPE_OFFSET, "node type 7", () -> db.aggregate(KeyRange.of(0, 2000)));
        }
    }

    @Test
    void internalNodeBecomesLeafAtTheWrongLevel() throws Exception {
        Path file = copy("wrong-level");
        putLong(file, 512 + NodeDescriptor.TYPE_OFFSET, 1); // first level-1 node claims to be a leaf
        try (PreadTraversal db = PreadTraversal.open(file, BpfKvOptions.defaults())) {
            expectFormatError(file, 512 + NodeDescriptor.TYPE_OFFSET, "expected an internal node", () -> db.get(5));
        }
        expectFormatError(file, 512 + NodeDescriptor.TYPE_OFFSET, "expected an internal node",
                () -> PreadTraversal.open(file, BpfKvOptions.defaults().withCacheLevels(2)).close());
    }

    @Test
    void pointerWithoutBit63() throws Exception {
        Path file = copy("no-bit63");
        long slot = 512 + NodeDescriptor.ptrOffset(0);
        putLong(file, slot, NodeDescriptor.decode(getLong(file, slot)));
        try (PreadTraversal db = PreadTraversal.open(file, BpfKvOptions.defaults())) {
            expectFormatError(file, slot, "lacks bit 63", () -> db.get(0));
        }
        Path root = copy("root-no-bit63");
        putLong(root, NodeDescriptor.ptrOffset(3), 3 * 512);
        expectFormatError(root, NodeDescriptor.ptrOffset(3), "lacks bit 63",
                () -> PreadTraversal.open(root, BpfKvOptions.defaults()).close());
    }

    @Test
    void pointerOutsideTheFile() throws Exception {
        Path file = copy("outside");
        long slot = 512 + NodeDescriptor.ptrOffset(1);
        putLong(file, slot, NodeDescriptor.encode(L3.fileSizeBytes() + 4096));
        try (PreadTraversal db = PreadTraversal.open(file, BpfKvOptions.defaults())) {
            expectFormatError(file, slot, "outside the next level", () -> db.get(31));
        }
        Path value = copy("value-outside");
        long leaf = L3.leafOffsetOf(77);
        long valueSlot = leaf + NodeDescriptor.ptrOffset(77 % 31);
        putLong(value, valueSlot, NodeDescriptor.encode(L3.fileSizeBytes()));
        try (PreadTraversal db = PreadTraversal.open(value, BpfKvOptions.defaults())) {
            expectFormatError(value, valueSlot, "outside the value log", () -> db.get(77));
        }
    }

    @Test
    void misalignedPointer() throws Exception {
        Path file = copy("misaligned");
        long slot = 512 + NodeDescriptor.ptrOffset(2);
        putLong(file, slot, getLong(file, slot) + 8);
        try (PreadTraversal db = PreadTraversal.open(file, BpfKvOptions.defaults())) {
            expectFormatError(file, slot, "not 512-aligned", () -> db.get(62));
        }
        Path value = copy("value-misaligned");
        long valueSlot = L3.leafOffsetOf(40) + NodeDescriptor.ptrOffset(40 % 31);
        putLong(value, valueSlot, getLong(value, valueSlot) + 3);
        try (PreadTraversal db = PreadTraversal.open(value, BpfKvOptions.defaults())) {
            expectFormatError(value, valueSlot, "64-byte value boundary", () -> db.get(40));
        }
    }

    @Test
    void cycleBackToTheRoot() throws Exception {
        Path file = copy("cycle");
        long slot = 512 + NodeDescriptor.ptrOffset(0);
        putLong(file, slot, NodeDescriptor.encode(0)); // level-1 node points back at the root
        try (PreadTraversal db = PreadTraversal.open(file, BpfKvOptions.defaults())) {
            expectFormatError(file, slot, "cycle", () -> db.get(0));
        }
    }

    @Test
    void leafListCycle() throws Exception {
        Path file = copy("next-cycle");
        long leaf = L3.leafOffsetOf(100);
        putLong(file, leaf + NodeDescriptor.NEXT_OFFSET, leaf - 512); // points back at the previous leaf
        try (PreadTraversal db = PreadTraversal.open(file, BpfKvOptions.defaults())) {
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> db.range(90, 200, false, false).toList());
            BpfKvFormatException cause = (BpfKvFormatException) e.getCause();
            assertEquals(leaf + NodeDescriptor.NEXT_OFFSET, cause.offset());
            assertTrue(cause.problem().contains("cycle"), cause.getMessage());
            assertEquals(10, db.range(90, 100, false, false).count(), "a scan that ends before the bad leaf is fine");
        }
    }

    @Test
    void descendingKeysInALeafStopTheScan() throws Exception {
        Path file = copy("keys-descend");
        long leaf = L3.leafOffsetOf(310);
        putLong(file, leaf + NodeDescriptor.keyOffset(5), 3); // far below the leaf's first key
        try (PreadTraversal db = PreadTraversal.open(file, BpfKvOptions.defaults())) {
            expectFormatError(file, leaf + NodeDescriptor.keyOffset(5), "does not ascend",
                    () -> db.aggregate(KeyRange.of(300, 400)));
        }
    }

    @Test
    void wrongInternalKeyNeverAnswersNotFound() throws Exception {
        Path file = copy("internal-key");
        // root key[1] says child 1 starts at key 1, so keys 1..960 descend into the wrong subtree
        putLong(file, NodeDescriptor.keyOffset(1), 1);
        try (PreadTraversal db = PreadTraversal.open(file, BpfKvOptions.defaults())) {
            BpfKvFormatException e = expectFormatError(file, L3.leafOffsetOf(961), "key 500 is missing", () -> db.get(500));
            assertTrue(e.problem().contains("corrupt index"), e.getMessage());
            // child 0 holds keys 0..960, but its parent's separators give it [0, 1): refused, not followed
            expectFormatError(file, 512 + NodeDescriptor.keyOffset(1), "key[1] 31 is outside [0, 1)", () -> db.get(0));
            assertTrue(db.get(5000).isPresent(), "subtrees whose separators agree still answer");
        }
    }

    @Test
    void changedLeafKeyIsMissingNotAbsent() throws Exception {
        Path file = copy("leaf-key");
        long leaf = L3.leafOffsetOf(62);
        putLong(file, leaf + NodeDescriptor.keyOffset(0), 99_999); // key 62 gone, order broken
        try (PreadTraversal db = PreadTraversal.open(file, BpfKvOptions.defaults())) {
            expectFormatError(file, leaf + NodeDescriptor.keyOffset(0), "key[0] 99999 is outside [62, 93)", () -> db.get(62));
            // a scan from key 50 reaches the leaf through the list, where no parent bounds it: key[1] is out of order
            expectFormatError(file, leaf + NodeDescriptor.keyOffset(1), "key[1] 63 does not ascend",
                    () -> db.aggregate(KeyRange.of(50, 70)));
        }
    }

    @Test
    void leafListEndingEarlyIsReported() throws Exception {
        Path file = copy("short-list");
        long leaf = L3.leafOffsetOf(3100);
        putLong(file, leaf + NodeDescriptor.NEXT_OFFSET, 0); // the leaf list stops at leaf 100
        try (PreadTraversal db = PreadTraversal.open(file, BpfKvOptions.defaults())) {
            expectFormatError(file, leaf, "the leaves end before key 3131", () -> db.aggregate(KeyRange.of(3000, 4000)));
            assertEquals(31, db.aggregate(KeyRange.of(3100, 3131)).count(), "a scan that ends inside the leaf is fine");
        }
    }
}
