package io.jxrp.bpfkv;

import io.jxrp.bpfkv.format.NodeDescriptor;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One pair: a key (an unsigned 64-bit integer) and its value as stored: up to 64 bytes, the slot
 * without its trailing NUL padding (the values of {@code create}'s files are the key's decimal text
 * right-aligned in 63 characters, padding spaces included). The array is the caller's own copy.
 */
public record KeyValue(long key, byte[] value) {
    /** A pair to store: the key is any u64 but 2^64 - 1, the value at most 64 bytes not ending in NUL. */
    public static KeyValue of(long key, byte[] value) {
        String problem = NodeDescriptor.checkKey(key);
        if (problem == null) {
            problem = NodeDescriptor.checkValue(value);
        }
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return new KeyValue(key, value);
    }

    /** A pair to store with the UTF-8 bytes of {@code value}. */
    public static KeyValue of(long key, String value) {
        return of(key, value.getBytes(StandardCharsets.UTF_8));
    }

    /** The value's text as stored (UTF-8), e.g. {@code "hello"}, or create's padded {@code "    ...    42"}. */
    public String valueText() {
        return valueText(value);
    }

    /** The text of a stored value (UTF-8). */
    public static String valueText(byte[] value) {
        return new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof KeyValue that && that.key == key && Arrays.equals(that.value, value);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(key) * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return Long.toUnsignedString(key) + "=" + valueText().strip();
    }
}
