package io.jxrp.ebpf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/** {@code BPF_MAP_TYPE_ARRAY}: u32 index keys, every entry exists and starts zeroed. Also backs global data. */
public final class BpfArrayMap extends BpfMap {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    BpfArrayMap(String name, int valueSize, int maxEntries, boolean readOnlyForPrograms) {
        super(name, MapType.ARRAY, 4, valueSize, maxEntries, readOnlyForPrograms);
    }

    @Override
    long lookupOffset(MemorySegment keySeg, long keyOff) {
        long index = Integer.toUnsignedLong(keySeg.get(U32, keyOff));
        return index < maxEntries() ? index * valueSize() : -1;
    }

    @Override
    int update(MemorySegment keySeg, long keyOff, MemorySegment valueSeg, long valueOff, long flags) {
        if (flags > BPF_EXIST) {
            return EINVAL;
        }
        long off = lookupOffset(keySeg, keyOff);
        if (off < 0) {
            return E2BIG;
        }
        if (flags == BPF_NOEXIST) {
            return EEXIST;
        }
        MemorySegment.copy(valueSeg, valueOff, values, off, valueSize());
        return 0;
    }

    @Override
    int delete(MemorySegment keySeg, long keyOff) {
        return EINVAL;
    }

    @Override
    public List<byte[]> keys() {
        List<byte[]> keys = new ArrayList<>(maxEntries());
        for (int i = 0; i < maxEntries(); i++) {
            keys.add(new byte[] {(byte) i, (byte) (i >>> 8), (byte) (i >>> 16), (byte) (i >>> 24)});
        }
        return keys;
    }
}
