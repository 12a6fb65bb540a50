package io.jxrp.engine;

/**
 * How an engine is set up. Start from {@link #defaults()} and change what matters.
 *
 * @param backend             which I/O backend ({@link BackendKind#AUTO} picks and logs why)
 * @param digest              how logical offsets become device offsets
 * @param reactors            reactor threads, one queue pair each
 * @param queueDepth          I/Os in flight per reactor (power of two)
 * @param maxInflightRequests requests in flight per reactor; more wait in its inbox
 * @param bufferSizeBytes     largest aligned read a hop may issue (multiple of 4096)
 * @param hopBudget           default maximum reads per request
 * @param javaThreads         reader threads per queue for the {@code java} backend
 * @param drainTimeoutMillis  how long {@link ResubmissionEngine#close()} lets in-flight requests finish
 */
public record EngineOptions(BackendKind backend, DigestKind digest, int reactors, int queueDepth,
                            int maxInflightRequests, int bufferSizeBytes, int hopBudget, int javaThreads,
                            long drainTimeoutMillis) {

    public EngineOptions {
        if (reactors < 1 || reactors > 64) {
            throw new IllegalArgumentException("reactors must be 1..64, got " + reactors);
        }
        if (queueDepth < 1 || queueDepth > 4096 || Integer.bitCount(queueDepth) != 1) {
            throw new IllegalArgumentException("queue depth must be a power of two in 1..4096, got " + queueDepth);
        }
        if (maxInflightRequests < 1 || maxInflightRequests > 65536) {
            throw new IllegalArgumentException("max in-flight requests must be 1..65536, got " + maxInflightRequests);
        }
        if (bufferSizeBytes < 4096 || bufferSizeBytes % 4096 != 0 || bufferSizeBytes > (1 << 20)) {
            throw new IllegalArgumentException("buffer size must be a multiple of 4096 up to 1 MiB, got " + bufferSizeBytes);
        }
        if (hopBudget < 1) {
            throw new IllegalArgumentException("hop budget must be >= 1, got " + hopBudget);
        }
        if (javaThreads < 1 || javaThreads > 256) {
            throw new IllegalArgumentException("java backend threads must be 1..256, got " + javaThreads);
        }
        if (drainTimeoutMillis < 0) {
            throw new IllegalArgumentException("drain timeout " + drainTimeoutMillis);
        }
    }

    /** auto backend, identity digest, 1 reactor, depth 256, 256 requests, 4 KiB buffers, 64 hops, 8 java threads. */
    public static EngineOptions defaults() {
        return new EngineOptions(BackendKind.AUTO, DigestKind.IDENTITY, 1, 256, 256, 4096, 64, 8, 10_000);
    }

    public EngineOptions withBackend(BackendKind b) {
        return new EngineOptions(b, digest, reactors, queueDepth, maxInflightRequests, bufferSizeBytes, hopBudget, javaThreads, drainTimeoutMillis);
    }

    public EngineOptions withDigest(DigestKind d) {
        return new EngineOptions(backend, d, reactors, queueDepth, maxInflightRequests, bufferSizeBytes, hopBudget, javaThreads, drainTimeoutMillis);
    }

    public EngineOptions withReactors(int n) {
        return new EngineOptions(backend, digest, n, queueDepth, maxInflightRequests, bufferSizeBytes, hopBudget, javaThreads, drainTimeoutMillis);
    }

    public EngineOptions withQueueDepth(int n) {
        return new EngineOptions(backend, digest, reactors, n, maxInflightRequests, bufferSizeBytes, hopBudget, javaThreads, drainTimeoutMillis);
    }

    public EngineOptions withMaxInflightRequests(int n) {
        return new EngineOptions(backend, digest, reactors, queueDepth, n, bufferSizeBytes, hopBudget, javaThreads, drainTimeoutMillis);
    }

    public EngineOptions withBufferSizeBytes(int n) {
        return new EngineOptions(backend, digest, reactors, queueDepth, maxInflightRequests, n, hopBudget, javaThreads, drainTimeoutMillis);
    }

    public EngineOptions withHopBudget(int n) {
        return new EngineOptions(backend, digest, reactors, queueDepth, maxInflightRequests, bufferSizeBytes, n, javaThreads, drainTimeoutMillis);
    }

    public EngineOptions withJavaThreads(int n) {
        return new EngineOptions(backend, digest, reactors, queueDepth, maxInflightRequests, bufferSizeBytes, hopBudget, n, drainTimeoutMillis);
    }

    public EngineOptions withDrainTimeoutMillis(long ms) {
        return new EngineOptions(backend, digest, reactors, queueDepth, maxInflightRequests, bufferSizeBytes, hopBudget, javaThreads, ms);
    }
}
