package io.jxrp.bpfkv.format;

import io.jxrp.bpfkv.Model;
import static io.jxrp.bpfkv.format.NodeDescriptor.BLOCK_SIZE;
import static io.jxrp.bpfkv.format.NodeDescriptor.FANOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The node searches against the original's early-exit scans, written out plainly here as the
 * model: sorted nodes, unsorted and duplicate keys (a corrupt file must get the same answer as the
 * C program, which scans), and unsigned extremes.
 */
class NodeDescriptorTest {

    private static int modelChildIndex(long[] keys, long search) {
        for (int k = 1; k < FANOUT; k++) {
            if (Long.compareUnsigned(keys[k], search) > 0) {
                return k - 1;
            }
        }
        return FANOUT - 1;
    }

    private static int modelLeafIndexOf(long[] keys, long search) {
        for (int k = 0; k < FANOUT; k++) {
            if (keys[k] == search) {
                return k;
            }
        }
        return -1;
    }

    @Test
    void searchesAgreeWithTheScansOnRandomNodes() {
        long seed = Model.seed();
        System.out.println("searchesAgreeWithTheScansOnRandomNodes seed=" + seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        try (Arena arena = Arena.ofConfined()) {
            long base = 3 * 8; // an unaligned node inside a bigger buffer
            MemorySegment buffer = arena.allocate(BLOCK_SIZE + base);
            long[] keys = new long[FANOUT];
            for (int round = 0; round < 20_000; round++) {
                int shape = rnd.nextInt(4);
                for (int k = 0; k < FANOUT; k++) {
                    keys[k] = switch (shape) {
                        case 0 -> rnd.nextLong(1000);                      // small, many duplicates
                        case 1 -> rnd.nextLong();                          // full unsigned range
                        case 2 -> k == 0 ? rnd.nextLong(100) : keys[k - 1] + rnd.nextLong(1, 50); // sorted
                        default -> rnd.nextBoolean() ? -1L - rnd.nextLong(3) : rnd.nextLong(3); // extremes
                    };
                }
                if (shape == 1 && rnd.nextBoolean()) {
                    Arrays.sort(keys); // signed order: wrong for unsigned keys, as a corrupt file may be
                }
                for (int k = 0; k < FANOUT; k++) {
                    buffer.set(NodeDescriptor.U64, base + NodeDescriptor.keyOffset(k), keys[k]);
                }
                long search = switch (rnd.nextInt(3)) {
                    case 0 -> keys[rnd.nextInt(FANOUT)];
                    case 1 -> keys[rnd.nextInt(FANOUT)] + (rnd.nextBoolean() ? 1 : -1);
                    default -> rnd.nextLong();
                };
                String where = "seed " + seed + " round " + round + " keys " + Arrays.toString(keys) + " search " + search;
                assertEquals(modelChildIndex(keys, search), NodeDescriptor.childIndex(buffer, base, search), where);
                assertEquals(modelLeafIndexOf(keys, search), NodeDescriptor.leafIndexOf(buffer, base, search), where);
            }
        }
    }

    @Test
    void edgesOfTheChildSearch() {
        long[] keys = new long[FANOUT];
        for (int k = 0; k < FANOUT; k++) {
            keys[k] = 10L * k;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment node = arena.allocate(BLOCK_SIZE);
            for (int k = 0; k < FANOUT; k++) {
                node.set(NodeDescriptor.U64, NodeDescriptor.keyOffset(k), keys[k]);
            }
            assertEquals(0, NodeDescriptor.childIndex(node, 0, 0));
            assertEquals(0, NodeDescriptor.childIndex(node, 0, 9));
            assertEquals(1, NodeDescriptor.childIndex(node, 0, 10));
            assertEquals(FANOUT - 1, NodeDescriptor.childIndex(node, 0, 300));
            assertEquals(FANOUT - 1, NodeDescriptor.childIndex(node, 0, -1L)); // unsigned maximum
            assertEquals(30, NodeDescriptor.leafIndexOf(node, 0, 300));
            assertEquals(-1, NodeDescriptor.leafIndexOf(node, 0, 301));
        }
    }
}
