package io.jxrp.bpfkv;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The file is not a valid BPF-KV database: wrong size, or a node or pointer that breaks the format.
 * The message names the file, the byte offset and the problem.
 */
public class BpfKvFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long offset;
    private final String problem;

    public BpfKvFormatException(Path file, long offset, String problem) {
        super(file + ": at byte offset " + offset + ": " + problem);
        this.file = file;
        this.offset = offset;
        this.problem = problem;
    }

    public Path file() {
        return file;
    }

    /** Byte offset in the file where the problem is (the node, or the size for size problems). */
    public long offset() {
        return offset;
    }

    public String problem() {
        return problem;
    }
}
