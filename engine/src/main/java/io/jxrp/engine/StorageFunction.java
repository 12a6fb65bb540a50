package io.jxrp.engine;

/**
 * A storage function: runs on every completed block of a request, on the engine's reactor thread,
 * and says what to read next (XRP's BPF program, as plain Java or as an adapted eBPF program).
 *
 * <p>Before each invocation the engine clears {@code done}, {@code next_addr} and {@code size};
 * {@link XrpContext#scratch()} persists for the life of the request (4 KiB, or the smaller size the
 * request asked for; an access past it is a function error). The function may set
 * {@link XrpContext#setDone()} to finish the request, and any of the 16 next-read slots
 * ({@link XrpContext#setNext(int, long, long)}): every non-zero slot is read in parallel. A branch
 * that sets neither ends; the request ends when done is set or no branch is left.
 *
 * <p>Must not block and must not keep references to {@code data()} beyond the call: the buffer is
 * reused for the next read. A non-zero return or a thrown exception ends the request with
 * {@link Outcome#FUNCTION_ERROR}.
 */
@FunctionalInterface
public interface StorageFunction {
    /**
     * @param ctx the context for this block; valid only during the call
     * @return 0 on success, anything else is a function error
     */
    int apply(XrpContext ctx);
}
