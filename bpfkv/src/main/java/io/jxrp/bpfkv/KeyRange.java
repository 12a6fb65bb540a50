package io.jxrp.bpfkv;

/**
 * Keys from {@code begin} to {@code end}: by default {@code [begin, end)}; the flags make the
 * begin exclusive or the end inclusive. Keys are non-negative; a negative bound is clamped.
 */
public record KeyRange(long begin, long end, boolean beginExclusive, boolean endInclusive) {
    /** {@code [begin, end)}. */
    public static KeyRange of(long begin, long end) {
        return new KeyRange(begin, end, false, false);
    }

    /** The first key in the range (inclusive); meaningful only when not {@link #isEmpty()}. */
    public long first() {
        if (beginExclusive) {
            return begin < 0 ? 0 : (begin == Long.MAX_VALUE ? Long.MAX_VALUE : begin + 1);
        }
        return Math.max(begin, 0);
    }

    /** The last key in the range (inclusive); -1 when nothing can be in it. */
    public long last() {
        if (endInclusive) {
            return end;
        }
        return end <= 0 ? -1 : end - 1;
    }

    public boolean isEmpty() {
        return last() < 0 || first() > last() || (beginExclusive && begin == Long.MAX_VALUE);
    }

    /** The same range clipped to the keys {@code 0 .. keyCount-1}, as an inclusive [first, last]. */
    public KeyRange clip(long keyCount) {
        if (isEmpty() || first() >= keyCount) {
            return new KeyRange(0, 0, false, false);
        }
        return new KeyRange(first(), Math.min(last(), keyCount - 1), false, true);
    }

    public boolean contains(long key) {
        return !isEmpty() && key >= first() && key <= last();
    }
}
