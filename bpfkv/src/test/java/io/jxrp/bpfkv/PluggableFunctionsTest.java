package io.jxrp.bpfkv;

import io.jxrp.bpfkv.format.ScratchDescriptor;
import io.jxrp.bpfkv.format.TreeLayout;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jxrp.engine.BackendKind;
import io.jxrp.engine.EngineOptions;
import io.jxrp.engine.StorageFunction;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Other storage functions with the same scratch ABI plug in through BpfKvOptions.withFunctions
 * (as the eBPF programs will): here wrappers that check the tree parameters every request's
 * scratch carries, then run the Java functions.
 */
@Timeout(60)
class PluggableFunctionsTest {
    @Test
    void requestsRunOnTheGivenFunctionsWithTreeParametersInScratch() throws Exception {
        TreeLayout layout = new TreeLayout(3);
        AtomicLong calls = new AtomicLong();
        AtomicLong badParams = new AtomicLong();
        StorageFunctions.Factory checked = (tree, fileSize) -> {
            StorageFunctions java = StorageFunctions.java(tree, fileSize);
            java.util.function.UnaryOperator<StorageFunction> wrap = inner -> ctx -> {
                calls.incrementAndGet();
                var scratch = ctx.scratch();
                if (scratch.get(ScratchDescriptor.U64, ScratchDescriptor.PARAM_VALUE_LOG) != tree.valueLogOffset()
                        || scratch.get(ScratchDescriptor.U64, ScratchDescriptor.PARAM_FILE_SIZE) != fileSize
                        || scratch.get(ScratchDescriptor.U64, ScratchDescriptor.PARAM_LEAVES) != tree.levelStartBytes(tree.layers() - 1)
                        || scratch.get(ScratchDescriptor.U32, ScratchDescriptor.PARAM_LAYERS) != tree.layers()) {
                    badParams.incrementAndGet();
                }
                return inner.apply(ctx);
            };
            return new StorageFunctions(wrap.apply(java.get()), wrap.apply(java.multiGet()), wrap.apply(java.range()));
        };
        BpfKvOptions options = BpfKvOptions.defaults().withFunctions(checked)
                .withEngine(EngineOptions.defaults().withBackend(BackendKind.AUTO));
        try (BpfKv db = BpfKv.open(Model.database(3), options)) {
            assertArrayEquals(Model.value(1234), db.get(1234).orElseThrow());
            List<java.util.Optional<byte[]>> values = db.getAll(1, 2, 29_790);
            assertArrayEquals(Model.value(29_790), values.get(2).orElseThrow());
            assertEquals(300, db.range(1000, 1300).count());
            assertEquals(300, db.aggregate(KeyRange.of(1000, 1300)).count());
            assertEquals(Map.of(), db.stats().fallbacks());
        }
        assertTrue(calls.get() >= 4 + 4 * 3, "the given functions ran: " + calls.get());
        assertEquals(0, badParams.get(), "every request's scratch carries the tree parameters");
        assertEquals(layout.valueLogOffset(), new TreeLayout(3).valueLogOffset());
    }
}
