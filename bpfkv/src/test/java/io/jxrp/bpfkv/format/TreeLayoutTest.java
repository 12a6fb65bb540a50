package io.jxrp.bpfkv.format;

import io.jxrp.bpfkv.BpfKvFormatException;
import io.jxrp.bpfkv.KeyRange;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void layersAreInferredFromTheSize() throws Exception {
        for (int l = 1; l <= TreeLayout.MAX_LAYERS; l++) {
            assertEquals(l, TreeLayout.layersForSize(new TreeLayout(l).fileSizeBytes()));
        }
        Path file = Path.of("some.db");
        assertEquals(3, TreeLayout.forFile(file, new TreeLayout(3).fileSizeBytes(), 0).layers());
        BpfKvFormatException e = assertThrows(BpfKvFormatException.class, () -> TreeLayout.forFile(file, 12345, 0));
        assertTrue(e.getMessage().contains("some.db") && e.getMessage().contains("12345"), e.getMessage());
        e = assertThrows(BpfKvFormatException.class, () -> TreeLayout.forFile(file, new TreeLayout(3).fileSizeBytes(), 4));
        assertTrue(e.getMessage().contains("matches 3 layers"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TreeLayout(0));
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
        assertEquals(0, KeyRange.of(-7, 3).first());
    }
}
