package io.jxrp.bpfkv;

import io.jxrp.bpfkv.format.ScratchDescriptor;
import io.jxrp.bpfkv.format.TreeLayout;
import io.jxrp.bpfkv.function.GetFunction;
import io.jxrp.bpfkv.function.MultiGetFunction;
import io.jxrp.bpfkv.function.RangeScanFunction;
import io.jxrp.engine.StorageFunction;
import java.io.IOException;
import java.util.Objects;

/**
 * The storage functions BpfKv's engine path runs, one per operation. The default is the Java
 * functions; any other set must follow the same scratch layouts ({@link ScratchDescriptor}) and
 * next-read conventions, e.g. the eBPF programs of {@code bpfkv/src/main/bpf} adapted to
 * {@link StorageFunction}. Requests are built the same way whatever runs them.
 *
 * @param get      point lookup ({@link GetFunction}'s contract)
 * @param multiGet scatter-gather lookup ({@link MultiGetFunction}'s contract)
 * @param range    range scan and aggregation ({@link RangeScanFunction}'s contract)
 */
public record StorageFunctions(StorageFunction get, StorageFunction multiGet, StorageFunction range) {
    public StorageFunctions {
        Objects.requireNonNull(get, "get");
        Objects.requireNonNull(multiGet, "multiGet");
        Objects.requireNonNull(range, "range");
    }

    /** Makes the functions for one database file. */
    @FunctionalInterface
    public interface Factory {
        /** The Java functions. */
        Factory JAVA = StorageFunctions::java;

        StorageFunctions create(TreeLayout layout, long fileSizeBytes) throws IOException;
    }

    /** The Java functions for a file of {@code layout} and {@code fileSizeBytes}. */
    public static StorageFunctions java(TreeLayout layout, long fileSizeBytes) {
        return new StorageFunctions(new GetFunction(layout, fileSizeBytes), new MultiGetFunction(layout, fileSizeBytes),
                new RangeScanFunction(layout, fileSizeBytes));
    }
}
