package io.jxrp.bpfkv;

import io.jxrp.engine.Outcome;
import io.jxrp.nvme.NativeErrors;
import java.io.IOException;

/**
 * An engine request on a database that has no pread path (an NVMe namespace) ended with an outcome
 * other than OK, or with an OK answer that did not add up: the operation fails with this instead of
 * being redone elsewhere. The message names the database, the operation, the outcome with its detail
 * (the errno, the function's error code, an offset) and the byte offset of the read concerned.
 */
public final class EngineOutcomeException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final Outcome outcome;
    private final long detail;
    private final long offset;

    /**
     * @param source    the database (a namespace's target spec)
     * @param operation what failed, e.g. {@code get(42)} or {@code read of 512 B}
     * @param outcome   the engine's outcome
     * @param detail    the outcome's detail ({@link io.jxrp.engine.XrpResult#detail()})
     * @param offset    byte offset of the read concerned (the request's first read, or the failed read)
     * @param note      what else is known, or null
     */
    public EngineOutcomeException(String source, String operation, Outcome outcome, long detail, long offset,
                                  String note) {
        super(source + ": " + operation + " at byte offset " + offset + " ended " + outcome + " ("
                + describe(outcome, detail) + ")" + (note == null ? "" : "; " + note));
        this.source = source;
        this.outcome = outcome;
        this.detail = detail;
        this.offset = offset;
    }

    /** The outcome's detail in words: the errno, the function's code, the offset it names. */
    public static String describe(Outcome outcome, long detail) {
        return switch (outcome) {
            case OK -> "the answer did not add up";
            case IO_ERROR -> detail < 0 ? NativeErrors.describe((int) -detail) : "short read at offset " + detail;
            case FUNCTION_ERROR -> detail == Integer.MIN_VALUE ? "the function threw" : "function error " + detail;
            case BUDGET_EXHAUSTED -> "hop budget exhausted before the read at offset " + detail;
            case BAD_ADDRESS -> "bad address " + detail;
            case STALE_MAPPING -> "mapping changed under the read at offset " + detail;
            case CORRUPT -> "block at offset " + detail + " failed verification";
        };
    }

    public String source() {
        return source;
    }

    public Outcome outcome() {
        return outcome;
    }

    public long detail() {
        return detail;
    }

    /** Byte offset of the read concerned. */
    public long offset() {
        return offset;
    }
}
