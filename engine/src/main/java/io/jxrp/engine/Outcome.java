package io.jxrp.engine;

/** How a request ended. Values, not exceptions: the layer above decides on the slow path. */
public enum Outcome {
    /** The function set done, or every branch ended without a next read. */
    OK,
    /** The per-request hop budget ran out; the scratch holds the partial state. */
    BUDGET_EXHAUSTED,
    /** The function returned non-zero or threw. */
    FUNCTION_ERROR,
    /** A next address (or size) left the request's file, or a read was larger than a buffer. */
    BAD_ADDRESS,
    /** The file's mapping changed between submission and completion of a read (checked after the read). */
    STALE_MAPPING,
    /** The device returned an error or a short read. */
    IO_ERROR,
    /**
     * A block failed its target's {@link BlockVerifier} (a checksum mismatch): the data never reached
     * the function. The detail is the bad block's logical offset.
     */
    CORRUPT
}
