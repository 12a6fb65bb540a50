package io.jxrp.engine;

/**
 * The end of a request.
 *
 * @param outcome how it ended
 * @param value   what the request's {@link ScratchReader} extracted from the scratch page (any outcome)
 * @param hops    reads completed and handed to the function
 * @param detail  for failures: the offending logical address, the errno (negative), or -1
 * @param latencyNanos from submission to completion
 */
public record XrpResult<T>(Outcome outcome, T value, int hops, long detail, long latencyNanos) {
    public boolean ok() {
        return outcome == Outcome.OK;
    }
}
