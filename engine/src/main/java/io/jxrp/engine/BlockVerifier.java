package io.jxrp.engine;

import java.lang.foreign.MemorySegment;

/**
 * A target's integrity check: the engine hands it every block it read for a request, after the read
 * and before the storage function sees the data, on the reactor thread. A block that fails ends the
 * request with {@link Outcome#CORRUPT} and the block's logical offset as the detail, never as data.
 * Serves every backend and every function (Java or eBPF) alike.
 *
 * <p>Must be thread-safe (reactors call it concurrently), fast (it runs on every hop) and must not
 * keep {@code buffer}.
 */
public interface BlockVerifier {

    /**
     * The verifier's block size (a power of two): the engine reads whole blocks of at least this
     * size, aligned, and passes exactly the blocks that cover the bytes a function asked for.
     */
    int blockSizeBytes();

    /**
     * Checks {@code lengthBytes} bytes of {@code buffer} starting at {@code bufferOffset}: whole blocks,
     * the first at logical offset {@code logicalOffset} of the target.
     *
     * @return -1 when every block is intact, else the logical offset of the first bad block
     */
    long verify(long logicalOffset, MemorySegment buffer, long bufferOffset, long lengthBytes);
}
