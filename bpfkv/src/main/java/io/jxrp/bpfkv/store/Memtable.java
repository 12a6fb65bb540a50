package io.jxrp.bpfkv.store;

import io.jxrp.bpfkv.KeyRange;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The committed puts and deletes not yet in the tree file: key (unsigned order) to value, or to
 * {@link #TOMBSTONE} for a delete. Entries appear only once their group is durable, so a reader
 * never sees a write that a crash could take back. Thread-safe; iteration is weakly consistent
 * (each key as it was at some moment during the scan).
 */
final class Memtable {
    /** The value of a deleted key (compared by identity: an empty value is a real value). */
    static final byte[] TOMBSTONE = new byte[0];

    private final ConcurrentSkipListMap<Long, byte[]> entries = new ConcurrentSkipListMap<>(Long::compareUnsigned);
    private final AtomicLong bytes = new AtomicLong();

    /** The value, {@link #TOMBSTONE}, or null when the key has no entry here. */
    byte[] get(long key) {
        return entries.get(key);
    }

    void put(long key, byte[] value) {
        byte[] old = entries.put(key, value);
        bytes.addAndGet(value.length + 48 - (old == null ? 0 : old.length + 48));
    }

    int size() {
        return entries.size();
    }

    /** About what the entries take on the heap. */
    long bytes() {
        return bytes.get();
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Whether any entry (value or tombstone) falls in {@code range}. */
    boolean intersects(KeyRange range) {
        if (range.isEmpty()) {
            return false;
        }
        Long first = entries.ceilingKey(range.first());
        return first != null && Long.compareUnsigned(first, range.last()) <= 0;
    }

    /** The entries of {@code range} in key order. */
    Iterator<Map.Entry<Long, byte[]>> iterator(KeyRange range) {
        if (range.isEmpty()) {
            return java.util.Collections.emptyIterator();
        }
        NavigableMap<Long, byte[]> sub = entries.subMap(range.first(), true, range.last(), true);
        return sub.entrySet().iterator();
    }
}
