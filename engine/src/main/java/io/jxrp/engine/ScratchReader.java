package io.jxrp.engine;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Extracts a request's answer from its scratch page when the request ends, on the reactor thread,
 * so the page never has to be copied. Called for every outcome (BUDGET_EXHAUSTED gets the partial
 * state); the caller checks {@link XrpResult#outcome()}.
 */
@FunctionalInterface
public interface ScratchReader<T> {
    /** Copies the whole page to the heap. */
    ScratchReader<byte[]> COPY = scratch -> scratch.toArray(ValueLayout.JAVA_BYTE);

    T read(MemorySegment scratch);
}
