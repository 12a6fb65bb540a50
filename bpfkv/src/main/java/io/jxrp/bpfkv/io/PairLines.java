package io.jxrp.bpfkv.io;

import io.jxrp.bpfkv.KeyValue;
import io.jxrp.bpfkv.format.NodeDescriptor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Pairs from text, one per line: {@code KEY<TAB>VALUE}. KEY is an unsigned 64-bit decimal number
 * (0 .. 18446744073709551614; 2^64 - 1 marks unused slots), VALUE the rest of the line (tabs
 * included) as UTF-8, at most 64 bytes, not ending in a NUL. A trailing CR is dropped (CRLF files).
 * A line that breaks these rules is an {@link IllegalArgumentException} naming the source and the
 * line number; read errors surface as {@link UncheckedIOException}.
 */
public final class PairLines implements Iterator<KeyValue> {
    private final BufferedReader reader;
    private final String source;
    private long lineNumber;
    private KeyValue next;
    private boolean ended;

    public PairLines(BufferedReader reader, String source) {
        this.reader = reader;
        this.source = source;
    }

    /** Lines read so far. */
    public long lineNumber() {
        return lineNumber;
    }

    @Override
    public boolean hasNext() {
        if (next == null && !ended) {
            String line;
            try {
                line = reader.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(source + ": " + e.getMessage(), e);
            }
            if (line == null) {
                ended = true;
            } else {
                lineNumber++;
                next = parse(line, source, lineNumber);
            }
        }
        return next != null;
    }

    @Override
    public KeyValue next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        KeyValue pair = next;
        next = null;
        return pair;
    }

    /** One line as a pair. */
    public static KeyValue parse(String line, String source, long lineNumber) {
        String text = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        int tab = text.indexOf('\t');
        if (tab < 0) {
            throw malformed(source, lineNumber, "no TAB between key and value (expected KEY<TAB>VALUE)");
        }
        String keyText = text.substring(0, tab);
        long key;
        try {
            key = Long.parseUnsignedLong(keyText);
        } catch (NumberFormatException e) {
            throw malformed(source, lineNumber, "key '" + shorten(keyText) + "' is not an unsigned 64-bit decimal number");
        }
        String problem = NodeDescriptor.checkKey(key);
        byte[] value = text.substring(tab + 1).getBytes(StandardCharsets.UTF_8);
        if (problem == null) {
            problem = NodeDescriptor.checkValue(value);
        }
        if (problem != null) {
            throw malformed(source, lineNumber, problem);
        }
        return new KeyValue(key, value);
    }

    private static IllegalArgumentException malformed(String source, long lineNumber, String problem) {
        return new IllegalArgumentException(source + ": line " + lineNumber + ": " + problem);
    }

    private static String shorten(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
