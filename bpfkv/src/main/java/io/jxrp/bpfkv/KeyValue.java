package io.jxrp.bpfkv;

import java.nio.charset.StandardCharsets;

/**
 * One pair: a key and its 64-byte value (the decimal text, NUL-terminated, as stored).
 * The array is the caller's own copy.
 */
public record KeyValue(long key, byte[] value) {
    /** The value's text without padding or NUL, e.g. {@code "42"}. */
    public String valueText() {
        return valueText(value);
    }

    /** The text of a stored 64-byte value without padding or NUL. */
    public static String valueText(byte[] value) {
        int end = 0;
        while (end < value.length && value[end] != 0) {
            end++;
        }
        return new String(value, 0, end, StandardCharsets.US_ASCII).strip();
    }

    @Override
    public String toString() {
        return key + "=" + valueText();
    }
}
