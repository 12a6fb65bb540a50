package io.jxrp.bpfkv.function;

import io.jxrp.bpfkv.BpfKv;
import io.jxrp.bpfkv.BpfKvOptions;
import io.jxrp.bpfkv.StorageFunctions;
import io.jxrp.bpfkv.format.ScratchDescriptor;
import io.jxrp.ebpf.BpfLoadException;
import io.jxrp.ebpf.BpfMachine;
import io.jxrp.ebpf.BpfObject;
import io.jxrp.ebpf.BpfProgram;
import io.jxrp.ebpf.ExecutionMode;
import io.jxrp.engine.bpf.BpfStorageFunction;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Objects;

/**
 * BPF-KV's storage functions as eBPF programs: {@code bpfkv/src/main/bpf/bpfkv.c}, compiled by clang
 * during the build into the jar as {@value #RESOURCE}, loaded and verified once, and run by jxrp's
 * eBPF runtime (JIT or interpreter) through {@link BpfStorageFunction}. The programs follow the Java
 * functions' scratch layouts and next reads exactly ({@link ScratchDescriptor}), so requests are built
 * and read the same way; they learn the file from the tree parameters in the scratch.
 *
 * <pre>{@code
 * BpfKv db = BpfKv.open(path, BpfKvOptions.defaults().withFunctions(BpfFunctions.factory(ExecutionMode.JIT)));
 * }</pre>
 *
 * Where the build had no clang the object is absent: {@link #unavailabilityCause()} says so and the
 * factory fails with that reason.
 */
public final class BpfFunctions {
    /** Classpath location of the compiled object. */
    public static final String RESOURCE = "/bpf/bpfkv.o";
    /** Program sections, one per operation. */
    public static final String GET_SECTION = "xrp/get";
    public static final String MULTI_GET_SECTION = "xrp/multi_get";
    public static final String RANGE_SECTION = "xrp/range";
    /**
     * Instructions one hop may execute: a backstop against a runaway, never a limit on real work.
     * Lookup hops run a few hundred, range hops a few thousand; the costliest hop any file can cause
     * (an aggregate's value block that all 492 entries point into, every value parsed) stays well
     * below it (BpfFunctionsTest measures both), so the programs never fault where the Java
     * functions complete.
     */
    public static final long INSTRUCTION_BUDGET = BpfMachine.DEFAULT_BUDGET;

    private BpfFunctions() {
    }

    /** The loaded object, or why there is none (loaded once). */
    private static final class Holder {
        static final BpfObject OBJECT;
        static final String CAUSE;

        static {
            BpfObject object = null;
            String cause = null;
            try (InputStream in = BpfFunctions.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    cause = "the eBPF object " + RESOURCE.substring(1) + " is not on the classpath: the build found no "
                            + "clang to compile bpfkv/src/main/bpf (install clang and rebuild bpfkv)";
                } else {
                    object = BpfObject.load("bpfkv.o", in.readAllBytes());
                    for (String section : new String[] {GET_SECTION, MULTI_GET_SECTION, RANGE_SECTION}) {
                        if (object.program(section).isEmpty()) {
                            cause = "the eBPF object " + RESOURCE.substring(1) + " has no program " + section;
                            object = null;
                            break;
                        }
                    }
                    String mismatch = object == null ? null : ScratchDescriptor.layoutMismatch(object.btf());
                    if (mismatch != null) {
                        cause = "the eBPF object " + RESOURCE.substring(1) + " lays out the scratch differently: " + mismatch;
                        object = null;
                    }
                }
            } catch (IOException | BpfLoadException e) {
                cause = "the eBPF object " + RESOURCE.substring(1) + " does not load: " + e.getMessage();
            }
            OBJECT = object;
            CAUSE = cause;
        }
    }

    /** Whether the programs are there and load. */
    public static boolean isAvailable() {
        return Holder.CAUSE == null;
    }

    /** Why the programs are unavailable, or null when they are available. */
    public static String unavailabilityCause() {
        return Holder.CAUSE;
    }

    /** The loaded, verified object. */
    public static BpfObject object() throws IOException {
        if (Holder.CAUSE != null) {
            throw new IOException("BPF-KV eBPF storage functions unavailable: " + Holder.CAUSE);
        }
        return Holder.OBJECT;
    }

    /** One program of the object, e.g. {@link #GET_SECTION}. */
    public static BpfProgram program(String section) throws IOException {
        return object().program(section).orElseThrow(); // presence checked at load
    }

    /** The eBPF functions run in {@code mode}, with {@link #INSTRUCTION_BUDGET} per hop. */
    public static StorageFunctions.Factory factory(ExecutionMode mode) {
        return factory(mode, INSTRUCTION_BUDGET);
    }

    /** The eBPF functions run in {@code mode}, stopping any hop after {@code instructionBudget} instructions. */
    public static StorageFunctions.Factory factory(ExecutionMode mode, long instructionBudget) {
        Objects.requireNonNull(mode, "mode");
        if (instructionBudget <= 0 || instructionBudget > BpfMachine.DEFAULT_BUDGET * 100) {
            throw new IllegalArgumentException("instruction budget " + instructionBudget + " out of range");
        }
        return (layout, fileSizeBytes) -> functions(mode, instructionBudget);
    }

    /**
     * The functions themselves. They do not depend on the file (its parameters travel in the
     * scratch), so one set serves any database.
     */
    public static StorageFunctions functions(ExecutionMode mode, long instructionBudget) throws IOException {
        return new StorageFunctions(new BpfStorageFunction(program(GET_SECTION), mode, instructionBudget),
                new BpfStorageFunction(program(MULTI_GET_SECTION), mode, instructionBudget),
                new BpfStorageFunction(program(RANGE_SECTION), mode, instructionBudget));
    }

    /** {@code jit} or {@code interp} (also {@code interpreter}), as the CLI's {@code --bpf-exec} takes it. */
    public static ExecutionMode parseMode(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "jit" -> ExecutionMode.JIT;
            case "interp", "interpreter" -> ExecutionMode.INTERPRETER;
            default -> throw new IllegalArgumentException("--bpf-exec must be jit or interp, not '" + text + "'");
        };
    }
}
