package io.jxrp.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jxrp.engine.digest.ExtentMap;
import io.jxrp.engine.digest.IdentityDigest;
import io.jxrp.engine.digest.MetadataDigest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The extent map's binary search against a linear scan over random extent lists. */
class ExtentMapTest {

    private static long linear(List<ExtentMap.Mapping> ms, long off, long len) {
        for (ExtentMap.Mapping m : ms) {
            if (off >= m.logicalOffset() && off < m.logicalOffset() + m.lengthBytes()) {
                if (off + len > m.logicalOffset() + m.lengthBytes() || !m.bypassable()) {
                    return MetadataDigest.THROUGH_FILE;
                }
                return m.deviceOffset() + off - m.logicalOffset();
            }
        }
        return MetadataDigest.THROUGH_FILE;
    }

    @Test
    void matchesALinearScan() {
        long seed = TestFiles.seed();
        System.out.println("ExtentMapTest seed " + seed);
        Random rnd = new Random(seed);
        for (int round = 0; round < 200; round++) {
            List<ExtentMap.Mapping> ms = new ArrayList<>();
            long logical = rnd.nextInt(4) * 4096L;
            int n = rnd.nextInt(20);
            for (int i = 0; i < n; i++) {
                long len = (1 + rnd.nextInt(16)) * 4096L;
                ms.add(new ExtentMap.Mapping(logical, rnd.nextInt(1 << 20) * 4096L, len, rnd.nextInt(5) != 0));
                logical += len + (rnd.nextBoolean() ? 0 : rnd.nextInt(3) * 4096L); // holes
            }
            List<ExtentMap.Mapping> shuffled = new ArrayList<>(ms);
            java.util.Collections.shuffle(shuffled, rnd);
            ExtentMap map = new ExtentMap(shuffled);
            for (int q = 0; q < 200; q++) {
                long off = rnd.nextLong(logical + 8192) / 512 * 512;
                long len = 512L * (1 + rnd.nextInt(16));
                assertEquals(linear(ms, off, len), map.translate(off, len), "seed " + seed + " round " + round + " off " + off);
            }
        }
    }

    @Test
    void overlappingExtentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ExtentMap(List.of(
                new ExtentMap.Mapping(0, 0, 8192, true), new ExtentMap.Mapping(4096, 65536, 4096, true))));
    }

    @Test
    void identityDigestBounds() {
        IdentityDigest d = new IdentityDigest(Path.of("x"), 10_000);
        assertEquals(512, d.translate(512, 512));
        assertEquals(9728, d.translate(9728, 512), "an aligned span may end past a size that is not a block multiple");
        assertEquals(MetadataDigest.OUTSIDE_FILE, d.translate(10_000, 512));
        assertEquals(MetadataDigest.OUTSIDE_FILE, d.translate(-512, 512));
    }
}
