package io.jxrp.ebpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Objects;

/**
 * A map shared between host Java code and programs. Values live off-heap in one slab
 * ({@code maxEntries * valueSize} bytes); a program's {@code bpf_map_lookup_elem} returns a
 * region-tagged address into that slab, so programs update values in place as in the kernel.
 *
 * <p>Host operations take and return byte arrays (keys and values in the program's layout,
 * little-endian). Result codes follow the helpers: 0 or a negative errno.
 */
public abstract sealed class BpfMap permits BpfArrayMap, BpfHashMap {
    /** Update flags, as in the kernel. */
    public static final long BPF_ANY = 0, BPF_NOEXIST = 1, BPF_EXIST = 2;
    /** Negative errno results. */
    public static final int ENOENT = -2, E2BIG = -7, EEXIST = -17, EINVAL = -22;

    private final String name;
    private final MapType type;
    private final int keySize;
    private final int valueSize;
    private final int maxEntries;
    private final boolean readOnlyForPrograms;
    final MemorySegment values;

    BpfMap(String name, MapType type, int keySize, int valueSize, int maxEntries, boolean readOnlyForPrograms) {
        this.name = Objects.requireNonNull(name);
        this.type = type;
        this.keySize = keySize;
        this.valueSize = valueSize;
        this.maxEntries = maxEntries;
        this.readOnlyForPrograms = readOnlyForPrograms;
        // Freed by the GC once the map and every machine that ran its programs are gone.
        this.values = Arena.ofAuto().allocate((long) valueSize * maxEntries, 8);
    }

    /**
     * Creates an empty map.
     *
     * @throws IllegalArgumentException if sizes are out of range (key 1..512 bytes, array keys 4 bytes,
     *         value 1..1 MiB, keys and values at most 256 MiB in total)
     */
    public static BpfMap create(MapType type, String name, int keySize, int valueSize, int maxEntries) {
        String problem = checkShape(type, keySize, valueSize, maxEntries);
        if (problem != null) {
            throw new IllegalArgumentException("map " + name + ": " + problem);
        }
        return type == MapType.ARRAY ? new BpfArrayMap(name, valueSize, maxEntries, false)
                : new BpfHashMap(name, keySize, valueSize, maxEntries);
    }

    /** Returns why a map shape is unsupported, or null if it is fine. */
    static String checkShape(MapType type, long keySize, long valueSize, long maxEntries) {
        if (type == null) {
            return "unsupported map type";
        }
        if (type == MapType.ARRAY && keySize != 4) {
            return "array map key size must be 4, got " + keySize;
        }
        if (keySize < 1 || keySize > 512) {
            return "key size " + keySize + " outside 1..512";
        }
        if (valueSize < 1 || valueSize > (1 << 20)) {
            return "value size " + valueSize + " outside 1..1048576";
        }
        if (maxEntries < 1 || (valueSize + keySize) * maxEntries > (1L << 28) || maxEntries > (1 << 22)) {
            return "max entries " + maxEntries + " out of range (at most 2^22 entries and 256 MiB of keys and values)";
        }
        return null;
    }

    public String name() { return name; }
    public MapType type() { return type; }
    public int keySize() { return keySize; }
    public int valueSize() { return valueSize; }
    public int maxEntries() { return maxEntries; }

    /** True for maps backing {@code .rodata}: programs may read but not write them. */
    public boolean readOnlyForPrograms() { return readOnlyForPrograms; }

    /** A copy of the value stored under {@code key}, or null if absent. */
    public final byte[] lookup(byte[] key) {
        checkKey(key);
        long off = lookupOffset(MemorySegment.ofArray(key), 0);
        return off < 0 ? null : values.asSlice(off, valueSize).toArray(ValueLayout.JAVA_BYTE);
    }

    /** Stores {@code value} under {@code key}; flags {@link #BPF_ANY}, {@link #BPF_NOEXIST} or {@link #BPF_EXIST}. */
    public final int update(byte[] key, byte[] value, long flags) {
        checkKey(key);
        if (value.length != valueSize) {
            throw new IllegalArgumentException("value must be " + valueSize + " bytes, got " + value.length);
        }
        return update(MemorySegment.ofArray(key), 0, MemorySegment.ofArray(value), 0, flags);
    }

    /** Removes {@code key}; 0, {@link #ENOENT}, or {@link #EINVAL} for array maps. */
    public final int delete(byte[] key) {
        checkKey(key);
        return delete(MemorySegment.ofArray(key), 0);
    }

    /** Snapshot of the keys present (array maps: every index). */
    public abstract List<byte[]> keys();

    /** The value storage of every entry, for hosts that read values in place. */
    public final MemorySegment valueStorage() {
        return values;
    }

    /** Offset in {@link #values} of the value for the key at {@code keySeg[keyOff..]}, or -1. */
    abstract long lookupOffset(MemorySegment keySeg, long keyOff);

    abstract int update(MemorySegment keySeg, long keyOff, MemorySegment valueSeg, long valueOff, long flags);

    abstract int delete(MemorySegment keySeg, long keyOff);

    private void checkKey(byte[] key) {
        if (key.length != keySize) {
            throw new IllegalArgumentException("key must be " + keySize + " bytes, got " + key.length);
        }
    }

    @Override
    public String toString() {
        return type + " map " + name + " (key " + keySize + " B, value " + valueSize + " B, " + maxEntries + " entries)";
    }
}
