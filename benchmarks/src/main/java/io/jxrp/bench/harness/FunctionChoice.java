package io.jxrp.bench.harness;

import io.jxrp.bpfkv.StorageFunctions;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Locale;

/**
 * The storage functions a matrix point runs: {@code java} (BPF-KV's Java functions), {@code bpf-jit}
 * or {@code bpf-interp} (BPF-KV's eBPF programs, JIT-compiled to JVM bytecode or interpreted).
 * The eBPF functions are looked up by name ({@code io.jxrp.bpfkv.BpfFunctions}) so the harness
 * runs, and says why those points are skipped, on a build without them.
 */
final class FunctionChoice {
    static final String JAVA = "java";
    static final String BPF_JIT = "bpf-jit";
    static final String BPF_INTERP = "bpf-interp";
    private static final String BPF_FUNCTIONS = "io.jxrp.bpfkv.BpfFunctions";
    private static final String EXECUTION_MODE = "io.jxrp.ebpf.ExecutionMode";

    /** A usable factory, or the reason there is none. */
    record Resolved(String name, StorageFunctions.Factory factory, String unavailableBecause) {
        boolean available() {
            return factory != null;
        }
    }

    private FunctionChoice() {
    }

    static String normalize(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "java" -> JAVA;
            case "bpf", "bpf-jit", "jit" -> BPF_JIT;
            case "bpf-interp", "bpf-interpreter", "interp" -> BPF_INTERP;
            default -> throw new IllegalArgumentException("unknown function '" + name + "' (java, bpf-jit, bpf-interp)");
        };
    }

    static Resolved resolve(String name) {
        String n = normalize(name);
        if (n.equals(JAVA)) {
            return new Resolved(n, StorageFunctions.Factory.JAVA, null);
        }
        try {
            Class<?> functions = Class.forName(BPF_FUNCTIONS);
            if (!(Boolean) functions.getMethod("isAvailable").invoke(null)) {
                return new Resolved(n, null, String.valueOf(functions.getMethod("unavailabilityCause").invoke(null)));
            }
            @SuppressWarnings({"unchecked", "rawtypes"}) // the enum type is only known at run time
            Object mode = Enum.valueOf((Class) Class.forName(EXECUTION_MODE), n.equals(BPF_JIT) ? "JIT" : "INTERPRETER");
            Method factory = functions.getMethod("factory", mode.getClass());
            return new Resolved(n, (StorageFunctions.Factory) factory.invoke(null, mode), null);
        } catch (ClassNotFoundException e) {
            return new Resolved(n, null, "this build has no eBPF storage functions for BPF-KV (" + e.getMessage() + ")");
        } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException | ClassCastException e) {
            Throwable cause = e instanceof InvocationTargetException ite && ite.getCause() != null ? ite.getCause() : e;
            return new Resolved(n, null, "eBPF storage functions unusable: " + cause);
        }
    }
}
