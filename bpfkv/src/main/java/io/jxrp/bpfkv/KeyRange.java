package io.jxrp.bpfkv;

import io.jxrp.bpfkv.format.NodeDescriptor;

/**
 * Keys from {@code begin} to {@code end}: by default {@code [begin, end)}; the flags make the
 * begin exclusive or the end inclusive. Keys are unsigned 64-bit integers (a negative {@code long}
 * is a key of 2^63 or more), compared unsigned; 2^64 - 1 ({@link NodeDescriptor#EMPTY_KEY}) is
 * never a key, so {@code KeyRange.of(0, -1)} holds every key.
 */
public record KeyRange(long begin, long end, boolean beginExclusive, boolean endInclusive) {
    private static final KeyRange EMPTY = new KeyRange(1, 0, false, true);

    /** {@code [begin, end)}. */
    public static KeyRange of(long begin, long end) {
        return new KeyRange(begin, end, false, false);
    }

    /** Every key. */
    public static KeyRange all() {
        return new KeyRange(0, NodeDescriptor.EMPTY_KEY, false, false);
    }

    /** The first key in the range (inclusive); meaningful only when not {@link #isEmpty()}. */
    public long first() {
        return beginExclusive ? begin + 1 : begin;
    }

    /** The last key in the range (inclusive); meaningful only when not {@link #isEmpty()}. */
    public long last() {
        long last = endInclusive ? end : end - 1;
        return last == NodeDescriptor.EMPTY_KEY ? last - 1 : last; // 2^64 - 1 is never a key
    }

    public boolean isEmpty() {
        if (beginExclusive && begin == NodeDescriptor.EMPTY_KEY) {
            return true;
        }
        if (!endInclusive && end == 0) {
            return true;
        }
        long first = first();
        return first == NodeDescriptor.EMPTY_KEY || Long.compareUnsigned(first, last()) > 0;
    }

    /** The same keys as an inclusive {@code [first, last]}, or an empty range. */
    public KeyRange normalized() {
        return isEmpty() ? EMPTY : new KeyRange(first(), last(), false, true);
    }

    /** Dense files: the same range clipped to the keys {@code 0 .. keyCount-1}, as an inclusive [first, last]. */
    public KeyRange clip(long keyCount) {
        if (isEmpty() || Long.compareUnsigned(first(), keyCount) >= 0 || keyCount == 0) {
            return EMPTY;
        }
        long last = Long.compareUnsigned(last(), keyCount - 1) < 0 ? last() : keyCount - 1;
        return new KeyRange(first(), last, false, true);
    }

    public boolean contains(long key) {
        return !isEmpty() && Long.compareUnsigned(key, first()) >= 0 && Long.compareUnsigned(key, last()) <= 0;
    }

    @Override
    public String toString() {
        return (beginExclusive ? "(" : "[") + Long.toUnsignedString(begin) + ", " + Long.toUnsignedString(end)
                + (endInclusive ? "]" : ")");
    }
}
