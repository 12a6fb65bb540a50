package io.jxrp.engine;

import io.jxrp.engine.digest.FiemapDigest;
import io.jxrp.engine.digest.IdentityDigest;
import io.jxrp.engine.digest.MetadataDigest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Opens the digest an engine asks for. */
final class Digests {
    private Digests() {
    }

    static MetadataDigest open(Path file, DigestKind kind) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        return switch (kind) {
            case IDENTITY -> new IdentityDigest(file, DeviceProbe.sizeBytes(file));
            case FIEMAP -> FiemapDigest.open(file);
        };
    }
}
