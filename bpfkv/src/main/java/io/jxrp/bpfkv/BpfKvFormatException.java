package io.jxrp.bpfkv;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The database is not a valid BPF-KV database: wrong size, or a node or pointer that breaks the
 * format. The message names the file (or the namespace), the byte offset and the problem.
 */
public class BpfKvFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String source;
    private final long offset;
    private final String problem;

    public BpfKvFormatException(Path file, long offset, String problem) {
        this(file, file.toString(), offset, problem);
    }

    /** A problem in a database that is not a file: {@code source} names it (an NVMe namespace's target spec). */
    public BpfKvFormatException(String source, long offset, String problem) {
        this(null, source, offset, problem);
    }

    private BpfKvFormatException(Path file, String source, long offset, String problem) {
        super(source + ": at byte offset " + offset + ": " + problem);
        this.file = file;
        this.source = source;
        this.offset = offset;
        this.problem = problem;
    }

    /** The database file, or null for a database on a namespace. */
    public Path file() {
        return file;
    }

    /** The file or namespace, as the message names it. */
    public String source() {
        return source;
    }

    /** Byte offset in the file where the problem is (the node, or the size for size problems). */
    public long offset() {
        return offset;
    }

    public String problem() {
        return problem;
    }
}
