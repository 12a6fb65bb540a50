package io.jxrp.engine;

/**
 * The end of a request.
 *
 * @param outcome how it ended
 * @param value   what the request's {@link ScratchReader} extracted from the scratch page (any outcome)
 * @param hops    reads completed and handed to the function; for {@link Outcome#BUDGET_EXHAUSTED} the
 *                hops reached when the budget ran out
 * @param detail  depends on the outcome:
 *                <ul>
 *                <li>{@code OK}: -1
 *                <li>{@code BUDGET_EXHAUSTED}: the logical offset of the read the budget refused
 *                <li>{@code FUNCTION_ERROR}: the function's non-zero return value, or
 *                    {@link Integer#MIN_VALUE} when it threw ({@link #failure()} holds the exception)
 *                <li>{@code BAD_ADDRESS}: the offending logical offset
 *                <li>{@code STALE_MAPPING}: the logical offset whose mapping changed under the read
 *                <li>{@code IO_ERROR}: {@code -errno} from the device, or the logical offset of a short read
 *                <li>{@code CORRUPT}: the logical offset of the first block that failed verification
 *                </ul>
 * @param latencyNanos from submission to completion
 * @param failure the exception a storage function threw ({@code FUNCTION_ERROR}), else null
 */
public record XrpResult<T>(Outcome outcome, T value, int hops, long detail, long latencyNanos, Throwable failure) {

    public XrpResult(Outcome outcome, T value, int hops, long detail, long latencyNanos) {
        this(outcome, value, hops, detail, latencyNanos, null);
    }

    public boolean ok() {
        return outcome == Outcome.OK;
    }

    /** One line: outcome, hops, detail and the function's exception where there is one. */
    @Override
    public String toString() {
        return "XrpResult[" + outcome + ", hops=" + hops + ", detail=" + detail
                + (failure != null ? ", failure=" + failure : "") + ", value=" + value + "]";
    }
}
