package io.jxrp.bpfkv;

import io.jxrp.bpfkv.format.TreeLayout;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jxrp.engine.BackendKind;
import io.jxrp.engine.EngineOptions;
import io.jxrp.engine.FaultInjectingBackend;
import io.jxrp.engine.TestBackends;
import io.jxrp.engine.Outcome;
import io.jxrp.engine.backend.IoBackend;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Device faults under the engine (the engine's fault-injecting backend): BpfKv answers on the pread path and counts it. */
@Timeout(120)
class EngineFallbackTest {
    private static IoBackend realBackend() {
        return TestBackends.uring();
    }

    @Test
    void failedAndCorruptedReadsFallBackToPread() throws Exception {
        TreeLayout layout = new TreeLayout(3);
        long key = 10_000;
        long leaf = layout.leafOffsetOf(key);
        long otherLeaf = layout.leafOffsetOf(20_000);
        FaultInjectingBackend backend = new FaultInjectingBackend(realBackend())
                .inject(leaf, new FaultInjectingBackend.Fault.Fail(5))
                .inject(otherLeaf, new FaultInjectingBackend.Fault.Corrupt());
        BpfKvOptions options = BpfKvOptions.defaults().withEngine(EngineOptions.defaults().withBackend(BackendKind.AUTO));
        try (BpfKv db = BpfKv.open(Model.database(3), options, backend)) {
            assertArrayEquals(Model.value(key), db.get(key).orElseThrow());
            assertEquals(1L, db.stats().fallbacks().get(Outcome.IO_ERROR));
            assertArrayEquals(Model.value(20_000), db.get(20_000).orElseThrow());
            assertEquals(1L, db.stats().fallbacks().get(Outcome.FUNCTION_ERROR), "a flipped leaf fails the type check");
            List<KeyValue> pairs = db.range(key - 50, key + 50).toList();
            assertEquals(100, pairs.size());
            for (KeyValue pair : pairs) {
                assertArrayEquals(Model.value(pair.key()), pair.value());
            }
            assertEquals(2L, db.stats().fallbacks().get(Outcome.IO_ERROR));
            assertEquals(key + 10, db.getAll(5, key + 10, 7).get(1).map(v -> Long.parseLong(KeyValue.valueText(v).strip())).orElseThrow());
            backend.clear();
            long before = db.stats().totalFallbacks();
            assertArrayEquals(Model.value(key), db.get(key).orElseThrow());
            assertEquals(before, db.stats().totalFallbacks(), "healthy again: no fallback");
        }
    }

    @Test
    void aFaultInALaterSliceContinuesOnPreadInOrder() throws Exception {
        TreeLayout layout = new TreeLayout(3);
        FaultInjectingBackend backend = new FaultInjectingBackend(realBackend())
                .inject(layout.leafOffsetOf(2_000), new FaultInjectingBackend.Fault.Fail(5));
        try (BpfKv db = BpfKv.open(Model.database(3), BpfKvOptions.defaults(), backend)) {
            List<KeyValue> pairs = db.range(0, 3_000).toList();
            assertEquals(3_000, pairs.size());
            for (int i = 0; i < pairs.size(); i++) {
                assertEquals(i, pairs.get(i).key());
                assertArrayEquals(Model.value(i), pairs.get(i).value());
            }
            assertEquals(1L, db.stats().fallbacks().get(Outcome.IO_ERROR));
            Aggregate aggregate = db.aggregate(KeyRange.of(0, 5_000));
            assertEquals(5_000, aggregate.count());
            assertEquals(4_999L * 5_000 / 2, aggregate.sum());
            assertEquals(2L, db.stats().fallbacks().get(Outcome.IO_ERROR));
        }
    }
}
