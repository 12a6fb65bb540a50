package io.jxrp.ebpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * jxrp-bpf run as a named module on the module path: picocli must reach the command classes, and the
 * JIT must define its hidden classes inside io.jxrp.ebpf (a JIT that fails falls back to the
 * interpreter with a WARN line, which fails this test). The other tests run on the class path (see
 * the parent pom), where none of this is checked.
 */
@Timeout(120)
class ModulePathTest {
    // ldxb r0, [r1+2]; add r0, r2; exit
    private static final String LOAD_BYTE = "71 10 02 00 00 00 00 00 0f 20 00 00 00 00 00 00 95 00 00 00 00 00 00 00";

    private static String jxrpBpf(String stdin, String... args) throws IOException, InterruptedException {
        Path runtimeClasspath = Path.of(System.getProperty("jxrp.runtime.classpath", "target/runtime-classpath.txt"));
        assertTrue(Files.isRegularFile(runtimeClasspath), runtimeClasspath + " is written by the build (dependency:build-classpath)");
        String modulePath = System.getProperty("jxrp.module.classes", "target/classes") + File.pathSeparator
                + Files.readString(runtimeClasspath).strip();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path", modulePath, "-m", "io.jxrp.ebpf.cli/" + JxrpBpf.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        try (var in = process.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.US_ASCII));
        }
        assertTrue(process.waitFor(100, TimeUnit.SECONDS), "jxrp-bpf " + String.join(" ", args) + " did not finish");
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        String what = "jxrp-bpf " + String.join(" ", args) + ": exit " + process.exitValue() + ", out " + out + ", err " + err;
        assertEquals(0, process.exitValue(), what);
        assertTrue(!err.contains("WARN"), what);
        return out;
    }

    @Test
    void theCommandRunsOnTheModulePathWithTheJit() throws Exception {
        assertEquals(Long.toHexString(0x22 + 4), jxrpBpf(LOAD_BYTE, "00 11 22 33", "--jit").trim());
        Path object = Path.of(System.getProperty("jxrp.bpf.objects", "target/bpf")).resolve("calls.o");
        io.jxrp.testing.Requirements.requireBpfObject(object);
        Path memory = Files.createTempFile("module-path", ".blob");
        try {
            Files.write(memory, new byte[132]);
            assertTrue(jxrpBpf("", "run", "--jit", "-m", memory.toString(), object.toString()).startsWith("r0 = 0x7 (7)"));
        } finally {
            Files.delete(memory);
        }
    }
}
