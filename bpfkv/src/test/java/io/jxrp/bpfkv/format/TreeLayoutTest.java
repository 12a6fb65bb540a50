package io.jxrp.bpfkv.format;

import io.jxrp.bpfkv.BpfKvFormatException;
import io.jxrp.bpfkv.KeyRange;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TreeLayoutTest {
    @Test
    void sizesMatchTheOriginal() {
        // REFERENCE.md: L=3 2.3 MiB (29,791 keys); L=4 71.4 MiB (923,521 keys); L=5 2.16 GiB; L=6 67 GiB
        assertEquals(29_791, new TreeLayout(3).keyCount());
        assertEquals(993, new TreeLayout(3).totalNodes());
        assertEquals((993 + 3724) * 512L, new TreeLayout(3).fileSizeBytes());
        assertEquals(923_521, new TreeLayout(4).keyCount());
        assertEquals(74_867_200L, new TreeLayout(4).fileSizeBytes());
        assertEquals(2.16, new TreeLayout(5).fileSizeBytes() / (double) (1L << 30), 0.01);
        assertEquals(887_503_681L, new TreeLayout(6).keyCount());
        assertEquals(67, new TreeLayout(6).fileSizeBytes() / (double) (1L << 30), 0.5);
        assertEquals(1 + 31 + 961 + 29_791 + 923_521, new TreeLayout(5).totalNodes());
    }

    @Test
    void levelsAreBreadthFirst() {
        TreeLayout layout = new TreeLayout(4);
        assertEquals(0, layout.firstNodeOfLevel(0));
        assertEquals(1, layout.firstNodeOfLevel(1));
        assertEquals(32, layout.firstNodeOfLevel(2));
        assertEquals(993, layout.firstNodeOfLevel(3));
        assertEquals(layout.totalNodes(), layout.firstNodeOfLevel(4));
        assertEquals(0, layout.levelOfNode(0));
        assertEquals(1, layout.levelOfNode(31));
        assertEquals(2, layout.levelOfNode(32));
        assertEquals(3, layout.levelOfNode(layout.totalNodes() - 1));
        assertEquals(layout.totalNodes() * 512, layout.valueLogOffset());
        assertEquals(993 * 512L + (100 / 31) * 512L, layout.leafOffsetOf(100));
        assertEquals(31 * 31 * 31, layout.keysPerNode(1));
    }

    @Test
    void layersAreInferredFromTheSizeOfDenseFiles() {
        for (int l = 1; l <= TreeLayout.MAX_LAYERS; l++) {
            assertEquals(l, TreeLayout.layersForSize(new TreeLayout(l).fileSizeBytes()));
        }
        assertEquals(-1, TreeLayout.layersForSize(12345));
        assertThrows(IllegalArgumentException.class, () -> new TreeLayout(0));
    }

    /** Packed layouts: every leaf full but the last, each level ceil(below / 31), the fewest layers. */
    @Test
    void packedLayoutsOfAnyKeyCount() throws Exception {
        TreeLayout empty = TreeLayout.forKeys(0, false);
        assertEquals(1, empty.layers());
        assertEquals(512, empty.fileSizeBytes());
        assertEquals(1, TreeLayout.forKeys(31, false).layers());
        assertEquals(2, TreeLayout.forKeys(32, false).layers());
        TreeLayout small = TreeLayout.forKeys(32, false);
        assertArrayEquals(new long[] {1, 2}, small.levelCounts());
        assertEquals((3 + 4) * 512L, small.fileSizeBytes());
        TreeLayout odd = TreeLayout.forKeys(1_000_000, false);
        assertEquals(5, odd.layers());
        assertArrayEquals(new long[] {1, 2, 34, 1041, 32_259}, odd.levelCounts());
        assertEquals(odd.valueLogOffset() + 999_999 * 64L, odd.valueOffsetOfRank(999_999));
        assertEquals(odd.levelStartBytes(4) + 32_258 * 512L, odd.leafOffsetOfRank(999_999));
        assertEquals(new TreeLayout(3), TreeLayout.forKeys(29_791, true));
        assertTrue(new TreeLayout(3).isDense() && !odd.isDense());
        assertThrows(IllegalArgumentException.class, () -> new TreeLayout(3, 31, false));  // 31 keys fit one layer
        // what the descent along the last children finds gives the layout back
        Path file = Path.of("some.db");
        for (long keys : new long[] {0, 1, 31, 32, 961, 962, 29_791, 1_000_000}) {
            TreeLayout layout = TreeLayout.forKeys(keys, false);
            int used = (int) (keys - (layout.leafCount() - 1) * 31);
            TreeLayout found = TreeLayout.fromShape(file, layout.layers(), (layout.totalNodes() - 1) * 512, used,
                    layout.fileSizeBytes(), 5, keys + 5);
            assertEquals(layout, found, keys + " keys");
        }
        TreeLayout l3 = new TreeLayout(3);
        BpfKvFormatException e = assertThrows(BpfKvFormatException.class,
                () -> TreeLayout.fromShape(file, 3, (l3.totalNodes() - 1) * 512, 31, 12345, 0, 29_790));
        assertTrue(e.getMessage().contains("some.db") && e.getMessage().contains("12345"), e.getMessage());
        assertThrows(BpfKvFormatException.class, () -> TreeLayout.fromShape(file, 3, 4096, 31, l3.fileSizeBytes(), 0, 29_790));
        assertEquals(l3, TreeLayout.fromShape(file, 3, (l3.totalNodes() - 1) * 512, 31, l3.fileSizeBytes(), 0, 29_790));
        assertFalse(TreeLayout.fromShape(file, 3, (l3.totalNodes() - 1) * 512, 31, l3.fileSizeBytes(), 1, 29_790).isDense());
    }

    @Test
    void keyRangeFlags() {
        assertEquals(5, KeyRange.of(5, 10).first());
        assertEquals(9, KeyRange.of(5, 10).last());
        assertEquals(6, new KeyRange(5, 10, true, true).first());
        assertEquals(10, new KeyRange(5, 10, true, true).last());
        assertTrue(KeyRange.of(5, 5).isEmpty());
        assertTrue(new KeyRange(5, 6, true, false).isEmpty());
        assertTrue(!new KeyRange(5, 5, false, true).isEmpty());
        assertTrue(KeyRange.of(0, 0).isEmpty());
        // keys are unsigned: -7 is 2^64 - 7, and 2^64 - 1 is never a key
        assertTrue(KeyRange.of(-7, 3).isEmpty());
        assertTrue(KeyRange.of(-7, -1).contains(-2) && !KeyRange.of(-7, -1).contains(-1));
        assertEquals(-2, new KeyRange(0, -1, false, true).last());
        assertTrue(KeyRange.all().contains(Long.MIN_VALUE) && KeyRange.all().contains(0));
        assertTrue(new KeyRange(-1, -1, true, true).isEmpty());
        assertTrue(new KeyRange(-2, -1, true, true).isEmpty());
    }
}
