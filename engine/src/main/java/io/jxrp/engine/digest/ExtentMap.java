package io.jxrp.engine.digest;

import java.util.Arrays;
import java.util.List;

/**
 * An immutable, sorted extent list with O(log extents) lookups: logical offset -> device offset.
 * Extents that may not be read directly (unwritten, inline, encoded, unknown...) are kept, marked,
 * so their ranges translate to {@link MetadataDigest#THROUGH_FILE} instead of to stale device bytes.
 */
public final class ExtentMap {

    /** One extent as the digest sees it. */
    public record Mapping(long logicalOffset, long deviceOffset, long lengthBytes, boolean bypassable) {
        public Mapping {
            if (logicalOffset < 0 || deviceOffset < 0 || lengthBytes <= 0) {
                throw new IllegalArgumentException("bad extent " + logicalOffset + "+" + lengthBytes + " -> " + deviceOffset);
            }
        }
    }

    private final long[] logicalStart;
    private final long[] logicalEnd;
    private final long[] deviceStart;
    private final boolean[] bypassable;

    public ExtentMap(List<Mapping> mappings) {
        Mapping[] sorted = mappings.toArray(Mapping[]::new);
        Arrays.sort(sorted, (a, b) -> Long.compare(a.logicalOffset(), b.logicalOffset()));
        int n = sorted.length;
        logicalStart = new long[n];
        logicalEnd = new long[n];
        deviceStart = new long[n];
        bypassable = new boolean[n];
        for (int i = 0; i < n; i++) {
            Mapping m = sorted[i];
            if (i > 0 && m.logicalOffset() < logicalEnd[i - 1]) {
                throw new IllegalArgumentException("overlapping extents at logical offset " + m.logicalOffset());
            }
            logicalStart[i] = m.logicalOffset();
            logicalEnd[i] = Math.addExact(m.logicalOffset(), m.lengthBytes());
            deviceStart[i] = m.deviceOffset();
            bypassable[i] = m.bypassable();
        }
    }

    public int size() {
        return logicalStart.length;
    }

    /**
     * @return the device offset of the range when it lies inside one bypassable extent;
     *         {@link MetadataDigest#THROUGH_FILE} when it falls in a hole, crosses extents or hits an
     *         extent that may not be bypassed
     */
    public long translate(long logicalOffset, long lengthBytes) {
        int lo = 0;
        int hi = logicalStart.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (logicalStart[mid] <= logicalOffset) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        int i = hi; // last extent starting at or before logicalOffset
        if (i < 0 || logicalOffset + lengthBytes > logicalEnd[i] || !bypassable[i]) {
            return MetadataDigest.THROUGH_FILE;
        }
        return deviceStart[i] + (logicalOffset - logicalStart[i]);
    }

    @Override
    public String toString() {
        int direct = 0;
        for (boolean b : bypassable) {
            direct += b ? 1 : 0;
        }
        return logicalStart.length + " extents (" + direct + " bypassable)";
    }
}
