package io.jxrp.ebpf;

/**
 * What a program's r1 points at when the host follows the calling convention, which lets the
 * verifier name the memory regions a program reaches. The facts are used for speed only: a host
 * that passes something else still gets exactly the same results (the access falls back to the
 * checked path), just more slowly.
 */
public enum ProgramType {
    /** Nothing is assumed about r1 (raw bytecode, the conformance suite). */
    GENERIC(0),
    /**
     * A storage function: r1 is the {@link Region#CONTEXT} base, a {@code struct bpf_xrp}
     * ({@value #XRP_CONTEXT_BYTES} B) whose {@code data} field (offset 0) points at the
     * {@link Region#DATA} base and whose {@code scratch} field (offset 272) at the
     * {@link Region#SCRATCH} base. Sections named {@code xrp} or {@code xrp/...} have this type.
     */
    XRP(296);

    /** Size of {@code struct bpf_xrp}. */
    public static final int XRP_CONTEXT_BYTES = 296;
    static final int XRP_DATA_FIELD = 0;
    static final int XRP_SCRATCH_FIELD = 272;
    /** The block an XRP function reads (XRP's 512 B); proofs about DATA assume at least this. */
    static final int XRP_DATA_BYTES = 512;
    /** XRP's scratch page; proofs about SCRATCH assume at least this. */
    static final int XRP_SCRATCH_BYTES = 4096;

    final int contextBytes;

    ProgramType(int contextBytes) {
        this.contextBytes = contextBytes;
    }

    /** The type a section name implies: {@code xrp} and {@code xrp/*} are storage functions. */
    public static ProgramType ofSection(String section) {
        return section.equals("xrp") || section.startsWith("xrp/") ? XRP : GENERIC;
    }

}
