package io.jxrp.bpfkv.function;

import io.jxrp.bpfkv.Aggregate;
import io.jxrp.bpfkv.KeyRange;
import io.jxrp.bpfkv.KeyValue;
import io.jxrp.bpfkv.Model;
import io.jxrp.bpfkv.ops.EngineOps;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Checks of {@link EngineOps} answers against the {@link Model}, shared by the function test suites. */
final class EngineOpsChecks {
    private EngineOpsChecks() {
    }

    /** Every value of a scatter-gather lookup: the key's value where the model has it, empty elsewhere. */
    static void checkGetAll(Model model, long[] keys, List<Optional<byte[]>> values, String where) {
        assertEquals(keys.length, values.size(), where + " getAll size");
        for (int k = 0; k < keys.length; k++) {
            if (model.contains(keys[k])) {
                assertArrayEquals(Model.value(keys[k]), values.get(k).orElseThrow(), where + " getAll key " + keys[k]);
            } else {
                assertTrue(values.get(k).isEmpty(), where + " getAll absent " + keys[k]);
            }
        }
    }

    /** A scan of {@code range} (keys and values in order) and its aggregate (count, sum, min, max). */
    static void checkRange(EngineOps ops, Model model, KeyRange range, String where) throws IOException {
        String what = where + " " + range;
        List<Long> keys = model.keys(range.begin(), range.end(), range.beginExclusive(), range.endInclusive());
        List<KeyValue> pairs = iterate(ops, range);
        assertEquals(keys.size(), pairs.size(), what + " size");
        for (int i = 0; i < pairs.size(); i++) {
            assertEquals(keys.get(i), pairs.get(i).key(), what + " key #" + i);
            assertArrayEquals(Model.value(keys.get(i)), pairs.get(i).value(), what + " value #" + i);
        }
        Aggregate aggregate = ops.aggregate(range);
        assertEquals(keys.size(), aggregate.count(), what + " count");
        assertEquals(keys.stream().mapToLong(Long::longValue).sum(), aggregate.sum(), what + " sum");
        if (!keys.isEmpty()) {
            assertEquals(keys.get(0), aggregate.min(), what + " min");
            assertEquals(keys.get(keys.size() - 1), aggregate.max(), what + " max");
        }
    }

    /** Every pair a scan of {@code range} yields. */
    static List<KeyValue> iterate(EngineOps ops, KeyRange range) {
        List<KeyValue> pairs = new ArrayList<>();
        ops.iterator(range).forEachRemaining(pairs::add);
        return pairs;
    }
}
