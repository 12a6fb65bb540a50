package io.jxrp.ebpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code BPF_MAP_TYPE_HASH}: open addressing over a fixed slot pool, no allocation after creation
 * except an occasional in-place table rebuild that clears deletion markers. Operations lock the map:
 * programs on several machines and host threads may share it.
 */
public final class BpfHashMap extends BpfMap {
    private static final int EMPTY = 0, DELETED = -1;

    private final MemorySegment keys;
    private final int[] table;       // EMPTY, DELETED or slot + 1
    private final int[] freeSlots;   // stack of unused slot numbers
    private int freeTop;
    private int deleted;

    BpfHashMap(String name, int keySize, int valueSize, int maxEntries) {
        super(name, MapType.HASH, keySize, valueSize, maxEntries, false);
        this.keys = Arena.ofAuto().allocate((long) keySize * maxEntries, 8);
        this.table = new int[Integer.highestOneBit(Math.max(2, maxEntries) * 2 - 1) << 1];
        this.freeSlots = new int[maxEntries];
        for (int i = 0; i < maxEntries; i++) {
            freeSlots[i] = maxEntries - 1 - i;
        }
        this.freeTop = maxEntries;
    }

    private int hash(MemorySegment keySeg, long keyOff) {
        int h = 0x811c9dc5;
        for (int i = 0; i < keySize(); i++) {
            h = (h ^ keySeg.get(ValueLayout.JAVA_BYTE, keyOff + i)) * 0x01000193;
        }
        return h ^ (h >>> 16);
    }

    private boolean keyEquals(int slot, MemorySegment keySeg, long keyOff) {
        long base = (long) slot * keySize();
        return MemorySegment.mismatch(keys, base, base + keySize(), keySeg, keyOff, keyOff + keySize()) == -1;
    }

    /** Table index holding the key, or -1. */
    private int find(MemorySegment keySeg, long keyOff) {
        int mask = table.length - 1;
        int i = hash(keySeg, keyOff) & mask;
        for (int probes = 0; probes < table.length; probes++, i = (i + 1) & mask) {
            int e = table[i];
            if (e == EMPTY) {
                return -1;
            }
            if (e > 0 && keyEquals(e - 1, keySeg, keyOff)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    synchronized long lookupOffset(MemorySegment keySeg, long keyOff) {
        int i = find(keySeg, keyOff);
        return i < 0 ? -1 : (long) (table[i] - 1) * valueSize();
    }

    @Override
    synchronized int update(MemorySegment keySeg, long keyOff, MemorySegment valueSeg, long valueOff, long flags) {
        if (flags > BPF_EXIST) {
            return EINVAL;
        }
        int i = find(keySeg, keyOff);
        if (i >= 0) {
            if (flags == BPF_NOEXIST) {
                return EEXIST;
            }
            MemorySegment.copy(valueSeg, valueOff, values, (long) (table[i] - 1) * valueSize(), valueSize());
            return 0;
        }
        if (flags == BPF_EXIST) {
            return ENOENT;
        }
        if (freeTop == 0) {
            return E2BIG;
        }
        int slot = freeSlots[--freeTop];
        MemorySegment.copy(keySeg, keyOff, keys, (long) slot * keySize(), keySize());
        MemorySegment.copy(valueSeg, valueOff, values, (long) slot * valueSize(), valueSize());
        insert(slot);
        return 0;
    }

    private void insert(int slot) {
        int mask = table.length - 1;
        int i = hash(keys, (long) slot * keySize()) & mask;
        while (table[i] > 0) {
            i = (i + 1) & mask;
        }
        if (table[i] == DELETED) {
            deleted--;
        }
        table[i] = slot + 1;
    }

    @Override
    synchronized int delete(MemorySegment keySeg, long keyOff) {
        int i = find(keySeg, keyOff);
        if (i < 0) {
            return ENOENT;
        }
        freeSlots[freeTop++] = table[i] - 1;
        table[i] = DELETED;
        if (++deleted > table.length / 4) {
            rebuild();
        }
        return 0;
    }

    private void rebuild() {
        int[] live = new int[maxEntries() - freeTop];
        int n = 0;
        for (int e : table) {
            if (e > 0) {
                live[n++] = e - 1;
            }
        }
        Arrays.fill(table, EMPTY);
        deleted = 0;
        for (int i = 0; i < n; i++) {
            insert(live[i]);
        }
    }

    @Override
    public synchronized List<byte[]> keys() {
        List<byte[]> result = new ArrayList<>();
        for (int e : table) {
            if (e > 0) {
                result.add(keys.asSlice((long) (e - 1) * keySize(), keySize()).toArray(ValueLayout.JAVA_BYTE));
            }
        }
        return result;
    }

    /** Number of keys present. */
    public synchronized int size() {
        return maxEntries() - freeTop;
    }
}
