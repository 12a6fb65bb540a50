package io.jxrp.ebpf;

/**
 * Helper functions programs may call, by their kernel ids. The set is closed: a program calling
 * any other id is rejected at load time (and a {@code callx} to one faults at run time).
 * Implementations live in {@link BpfMachine#callHelper}.
 */
public final class Helpers {
    private Helpers() {}

    public static final int MAP_LOOKUP_ELEM = 1;
    public static final int MAP_UPDATE_ELEM = 2;
    public static final int MAP_DELETE_ELEM = 3;
    public static final int KTIME_GET_NS = 5;
    public static final int TRACE_PRINTK = 6;
    public static final int GET_PRANDOM_U32 = 7;
    public static final int GET_SMP_PROCESSOR_ID = 8;

    /** The helper's kernel name, or null if the id is not supported. */
    public static String name(long id) {
        return switch ((int) id == id ? (int) id : -1) {
            case MAP_LOOKUP_ELEM -> "bpf_map_lookup_elem";
            case MAP_UPDATE_ELEM -> "bpf_map_update_elem";
            case MAP_DELETE_ELEM -> "bpf_map_delete_elem";
            case KTIME_GET_NS -> "bpf_ktime_get_ns";
            case TRACE_PRINTK -> "bpf_trace_printk";
            case GET_PRANDOM_U32 -> "bpf_get_prandom_u32";
            case GET_SMP_PROCESSOR_ID -> "bpf_get_smp_processor_id";
            default -> null;
        };
    }
}
