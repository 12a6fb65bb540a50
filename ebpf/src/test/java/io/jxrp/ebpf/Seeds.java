package io.jxrp.ebpf;

/** Seeds for randomized tests: printed, and fixed with {@code -Djxrp.seed=N} to re-run a failure. */
final class Seeds {
    private Seeds() {}

    static long seed(String test) {
        String fixed = System.getProperty("jxrp.seed");
        long seed = fixed != null ? Long.parseLong(fixed) : System.nanoTime();
        System.out.println(test + " seed=" + seed + " (re-run with -Djxrp.seed=" + seed + ")");
        return seed;
    }
}
