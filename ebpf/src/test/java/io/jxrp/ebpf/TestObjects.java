package io.jxrp.ebpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.jxrp.testing.Requirements;

/** Locates the clang-compiled test objects (src/test/bpf/*.c, built into target/bpf by the build). */
final class TestObjects {
    private TestObjects() {}

    static Path path(String name) {
        Path dir = Path.of(System.getProperty("jxrp.bpf.objects", "target/bpf"));
        Path file = dir.resolve(name + ".o");
        Requirements.requireBpfObject(file);
        return file;
    }

    static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(path(name));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static BpfObject load(String name) {
        try {
            return BpfObject.load(path(name));
        } catch (IOException | BpfLoadException e) {
            throw new AssertionError("loading " + name + ": " + e.getMessage(), e);
        }
    }
}
