package io.jxrp.ebpf;

/** Supported map types, with their kernel {@code BPF_MAP_TYPE_*} numbers. */
public enum MapType {
    HASH(1),
    ARRAY(2);

    /** The kernel's {@code enum bpf_map_type} value. */
    public final int kernelId;

    MapType(int kernelId) {
        this.kernelId = kernelId;
    }

    /** The type with that kernel number, or null. */
    public static MapType ofKernelId(long id) {
        for (MapType t : values()) {
            if (t.kernelId == id) {
                return t;
            }
        }
        return null;
    }
}
