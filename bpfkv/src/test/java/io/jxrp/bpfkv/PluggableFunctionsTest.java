package io.jxrp.bpfkv;

import io.jxrp.bpfkv.format.ScratchDescriptor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jxrp.engine.BackendKind;
import io.jxrp.engine.EngineOptions;
import io.jxrp.engine.StorageFunction;
import java.nio.file.Files;
import java.nio.file.Path;
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
    /**
     * The parameters every request's scratch must carry, from the model's arithmetic and the file's
     * size on disk rather than from the layout BpfKv hands the factory: a BpfKv that handed its
     * factory and its scratch the same wrong numbers would pass a check against its own.
     */
    @Test
    void requestsRunOnTheGivenFunctionsWithTreeParametersInScratch() throws Exception {
        Model model = new Model(3);
        Path file = Model.database(3);
        long fileSize = Files.size(file);
        long valueLog = model.totalNodes * 512;
        long leaves = (model.totalNodes - model.keyCount / Model.FANOUT) * 512;
        assertEquals(valueLog + (model.keyCount + 7) / 8 * 512, fileSize, "the model's file size is the file's");
        AtomicLong calls = new AtomicLong();
        AtomicLong badParams = new AtomicLong();
        List<String> factoryCalls = new java.util.concurrent.CopyOnWriteArrayList<>();
        StorageFunctions.Factory checked = (tree, size) -> {
            factoryCalls.add(tree.layers() + " layers, " + size + " B");
            StorageFunctions java = StorageFunctions.java(tree, size);
            java.util.function.UnaryOperator<StorageFunction> wrap = inner -> ctx -> {
                calls.incrementAndGet();
                var scratch = ctx.scratch();
                if (scratch.get(ScratchDescriptor.U64, ScratchDescriptor.PARAM_VALUE_LOG) != valueLog
                        || scratch.get(ScratchDescriptor.U64, ScratchDescriptor.PARAM_FILE_SIZE) != fileSize
                        || scratch.get(ScratchDescriptor.U64, ScratchDescriptor.PARAM_LEAVES) != leaves
                        || scratch.get(ScratchDescriptor.U32, ScratchDescriptor.PARAM_LAYERS) != 3) {
                    badParams.incrementAndGet();
                }
                return inner.apply(ctx);
            };
            return new StorageFunctions(wrap.apply(java.get()), wrap.apply(java.multiGet()), wrap.apply(java.range()));
        };
        BpfKvOptions options = BpfKvOptions.defaults().withFunctions(checked)
                .withEngine(EngineOptions.defaults().withBackend(BackendKind.AUTO));
        try (BpfKv db = BpfKv.open(file, options)) {
            // the automatic backend and why, as BpfKv reports it
            Throwable uring = io.jxrp.engine.backend.UringBackend.unavailabilityCause();
            if (uring == null) {
                assertTrue(db.backendDescription().startsWith("uring (auto: io_uring shim loaded; not passthru: "),
                        db.backendDescription());
            } else {
                assertEquals("java (auto: io_uring unavailable (" + uring + "))", db.backendDescription());
            }
            assertArrayEquals(Model.value(1234), db.get(1234).orElseThrow());
            List<java.util.Optional<byte[]>> values = db.getAll(1, 2, 29_790);
            assertArrayEquals(Model.value(29_790), values.get(2).orElseThrow());
            assertEquals(300, db.range(1000, 1300).count());
            assertEquals(300, db.aggregate(KeyRange.of(1000, 1300)).count());
            assertEquals(Map.of(), db.stats().fallbacks());
        }
        assertEquals(List.of("3 layers, " + fileSize + " B"), factoryCalls, "the factory got the file's tree, once");
        assertTrue(calls.get() >= 4 + 4 * 3, "the given functions ran: " + calls.get());
        assertEquals(0, badParams.get(), "every request's scratch carries the tree parameters");
    }
}
