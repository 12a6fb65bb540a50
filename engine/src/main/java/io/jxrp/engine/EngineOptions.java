package io.jxrp.engine;

/**
 * How an engine is set up. Start from {@link #defaults()} and change what matters.
 *
 * @param backend             which I/O backend serves a target unless its {@link TargetOptions} say
 *                            otherwise ({@link BackendKind#AUTO} picks per target and says why)
 * @param digest              how logical offsets become device offsets, unless a target says otherwise
 * @param reactors            reactor threads, one queue pair each
 * @param queueDepth          I/Os in flight per reactor (power of two)
 * @param maxInflightRequests requests in flight per reactor; more wait in its inbox
 * @param bufferSizeBytes     largest aligned read a hop may issue (multiple of 4096)
 * @param hopBudget           default maximum reads per request ({@value #DEFAULT_HOP_BUDGET}): only a
 *                            guard against runaway chains (a 1,000-node list walk, XRP's 32-key
 *                            scatter-gather at up to 160 hops fit easily); a request can set its own
 * @param javaThreads         reader threads per queue for the {@code java} backend
 * @param drainTimeoutMillis  how long {@link ResubmissionEngine#close()} lets in-flight requests finish
 * @param idleSpinNanos       the longest an idle reactor polls for new requests before it parks: a
 *                            parked thread's wake-up costs tens of microseconds on a virtual machine,
 *                            more than a device read. The poll adapts below this: it halves after
 *                            each poll that finds nothing and grows back when requests come closer
 *                            together ({@code IdleSpin}); 0 parks at once
 */
public record EngineOptions(BackendKind backend, DigestKind digest, int reactors, int queueDepth, int maxInflightRequests, int bufferSizeBytes, int hopBudget, int javaThreads, long drainTimeoutMillis, long idleSpinNanos, int maxTargets) {
    /** The default hop budget per request. */
    public static final int DEFAULT_HOP_BUDGET = 65_536;

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
        if (maxTargets < 1 || maxTargets > 4096) {
            throw new IllegalArgumentException("max targets must be 1..4096, got " + maxTargets);
        }
        if (idleSpinNanos < 0 || idleSpinNanos > 1_000_000_000L) {
            throw new IllegalArgumentException("idle spin must be 0..1 s, got " + idleSpinNanos + " ns");
        }
    }

    /**
     * auto backend, identity digest, 1 reactor, depth 256, 256 requests, 4 KiB buffers,
     * {@value #DEFAULT_HOP_BUDGET} hops, 8 java threads, 10 s drain, 50 us idle spin, 1024 targets.
     */
    public static EngineOptions defaults() {
        return new EngineOptions(BackendKind.AUTO, DigestKind.IDENTITY, 1, 256, 256, 4096, DEFAULT_HOP_BUDGET, 8, 10_000,
                50_000, 1024);
    }

    public EngineOptions withBackend(BackendKind b) {
        return new EngineOptions(b, digest, reactors, queueDepth, maxInflightRequests, bufferSizeBytes, hopBudget, javaThreads, drainTimeoutMillis, idleSpinNanos, maxTargets);
    }

    public EngineOptions withDigest(DigestKind d) {
        return new EngineOptions(backend, d, reactors, queueDepth, maxInflightRequests, bufferSizeBytes, hopBudget, javaThreads, drainTimeoutMillis, idleSpinNanos, maxTargets);
    }

    public EngineOptions withReactors(int n) {
        return new EngineOptions(backend, digest, n, queueDepth, maxInflightRequests, bufferSizeBytes, hopBudget, javaThreads, drainTimeoutMillis, idleSpinNanos, maxTargets);
    }

    public EngineOptions withQueueDepth(int n) {
        return new EngineOptions(backend, digest, reactors, n, maxInflightRequests, bufferSizeBytes, hopBudget, javaThreads, drainTimeoutMillis, idleSpinNanos, maxTargets);
    }

    public EngineOptions withMaxInflightRequests(int n) {
        return new EngineOptions(backend, digest, reactors, queueDepth, n, bufferSizeBytes, hopBudget, javaThreads, drainTimeoutMillis, idleSpinNanos, maxTargets);
    }

    public EngineOptions withBufferSizeBytes(int n) {
        return new EngineOptions(backend, digest, reactors, queueDepth, maxInflightRequests, n, hopBudget, javaThreads, drainTimeoutMillis, idleSpinNanos, maxTargets);
    }

    public EngineOptions withHopBudget(int n) {
        return new EngineOptions(backend, digest, reactors, queueDepth, maxInflightRequests, bufferSizeBytes, n, javaThreads, drainTimeoutMillis, idleSpinNanos, maxTargets);
    }

    public EngineOptions withJavaThreads(int n) {
        return new EngineOptions(backend, digest, reactors, queueDepth, maxInflightRequests, bufferSizeBytes, hopBudget, n, drainTimeoutMillis, idleSpinNanos, maxTargets);
    }

    public EngineOptions withDrainTimeoutMillis(long ms) {
        return new EngineOptions(backend, digest, reactors, queueDepth, maxInflightRequests, bufferSizeBytes, hopBudget, javaThreads, ms, idleSpinNanos, maxTargets);
    }

    public EngineOptions withIdleSpinNanos(long ns) {
        return new EngineOptions(backend, digest, reactors, queueDepth, maxInflightRequests, bufferSizeBytes, hopBudget, javaThreads, drainTimeoutMillis, ns, maxTargets);
    }

    public EngineOptions withMaxTargets(int n) {
        return new EngineOptions(backend, digest, reactors, queueDepth, maxInflightRequests, bufferSizeBytes, hopBudget, javaThreads, drainTimeoutMillis, idleSpinNanos, n);
    }
}
