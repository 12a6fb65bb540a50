package io.jxrp.bench.harness;

import io.jxrp.bpfkv.function.BpfFunctions;
import io.jxrp.bpfkv.StorageFunctions;
import io.jxrp.ebpf.ExecutionMode;
import java.util.Locale;

/**
 * The storage functions a matrix point runs: {@code java} (BPF-KV's Java functions), {@code bpf-jit}
 * or {@code bpf-interp} (BPF-KV's eBPF programs, JIT-compiled to JVM bytecode or interpreted). Where
 * the eBPF object is missing (built without clang) those points are skipped with the reason.
 */
final class FunctionChoice {
    static final String JAVA = "java";
    static final String BPF_JIT = "bpf-jit";
    static final String BPF_INTERP = "bpf-interp";

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
        if (!BpfFunctions.isAvailable()) {
            return new Resolved(n, null, BpfFunctions.unavailabilityCause());
        }
        return new Resolved(n, BpfFunctions.factory(n.equals(BPF_JIT) ? ExecutionMode.JIT : ExecutionMode.INTERPRETER), null);
    }
}
