package io.jxrp.bpfkv.check;

import java.util.ArrayList;
import java.util.List;

/**
 * Problems found in a file, each with its byte offset: all are counted, the first {@code listed} kept
 * with their words (a damaged 67 GiB file must not fill the memory with messages).
 */
public final class Problems {
    /** One problem: where (a byte offset in the file) and what. */
    public record Problem(long offset, String what) {
        @Override
        public String toString() {
            return "offset " + offset + ": " + what;
        }
    }

    private final int listed;
    private final List<Problem> first = new ArrayList<>();
    private long count;

    public Problems(int listed) {
        if (listed < 0) {
            throw new IllegalArgumentException("problems to list must be >= 0, not " + listed);
        }
        this.listed = listed;
    }

    public void add(long offset, String what) {
        count++;
        if (first.size() < listed) {
            first.add(new Problem(offset, what));
        }
    }

    /** Every problem found. */
    public long count() {
        return count;
    }

    /** The first ones, in file order, at most the number asked for. */
    public List<Problem> listed() {
        return List.copyOf(first);
    }

    public boolean isEmpty() {
        return count == 0;
    }
}
