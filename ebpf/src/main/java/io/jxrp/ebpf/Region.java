package io.jxrp.ebpf;

/**
 * Memory regions a host binds onto a {@link BpfMachine}. A program sees each bound region at a
 * virtual base address ({@link BpfMachine#address(Region)}); stack, map values and global data get
 * their own regions managed by the machine.
 */
public enum Region {
    /** The program's context (for storage functions, {@code struct bpf_xrp}). */
    CONTEXT(1),
    /** The block just read. */
    DATA(2),
    /** The request's scratch page. */
    SCRATCH(3);

    final int id;

    Region(int id) {
        this.id = id;
    }
}
