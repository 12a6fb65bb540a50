package io.jxrp.engine;

/**
 * How one target is attached. Start from {@link #defaults()}.
 *
 * @param backend  which backend serves it; null: the engine's ({@link EngineOptions#backend()})
 * @param digest   how its logical offsets become device offsets; null: the engine's
 *                 ({@link EngineOptions#digest()})
 * @param writable open it read-write, so {@link ResubmissionEngine#write} and
 *                 {@link ResubmissionEngine#flush} work on it (identity digest only: a FIEMAP
 *                 target reads the device under a file system and is never written through it)
 * @param verifier checks every block read before a function sees it (null: none)
 */
public record TargetOptions(BackendKind backend, DigestKind digest, boolean writable, BlockVerifier verifier) {

    /** The engine's backend and digest, read-only, no verifier. */
    public static TargetOptions defaults() {
        return new TargetOptions(null, null, false, null);
    }

    public TargetOptions withBackend(BackendKind b) {
        return new TargetOptions(b, digest, writable, verifier);
    }

    public TargetOptions withDigest(DigestKind d) {
        return new TargetOptions(backend, d, writable, verifier);
    }

    public TargetOptions withWritable(boolean w) {
        return new TargetOptions(backend, digest, w, verifier);
    }

    public TargetOptions withVerifier(BlockVerifier v) {
        return new TargetOptions(backend, digest, writable, v);
    }
}
