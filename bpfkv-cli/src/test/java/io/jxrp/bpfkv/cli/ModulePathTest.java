package io.jxrp.bpfkv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jxrp.bpfkv.function.BpfFunctions;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * The bpfkv command run as a named module on the module path, as an application using the jxrp
 * modules would run: the descriptors must export and open what the command, picocli and JNA use,
 * the shim must load from inside io.jxrp.nvme, and the eBPF JIT must define its hidden classes in
 * io.jxrp.ebpf. The other tests run on the class path (see the parent pom), where none of this is checked.
 */
@Timeout(180)
class ModulePathTest {
    /** Native access for the modules that need it: JNA loads the shim, io.jxrp.nvme reinterprets native memory. */
    private static final String NATIVE_ACCESS = "--enable-native-access=com.sun.jna,io.jxrp.nvme";

    record Run(int exit, String out, String err) {
    }

    private static Run bpfkv(String... args) throws IOException, InterruptedException {
        return bpfkv(List.of(), args);
    }

    private static Run bpfkv(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        Path runtimeClasspath = Path.of(System.getProperty("jxrp.runtime.classpath", "target/runtime-classpath.txt"));
        assertTrue(Files.isRegularFile(runtimeClasspath), runtimeClasspath + " is written by the build (dependency:build-classpath)");
        String modulePath = System.getProperty("jxrp.module.classes", "target/classes") + File.pathSeparator
                + Files.readString(runtimeClasspath).strip();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                NATIVE_ACCESS));
        command.addAll(jvmOptions);
        command.addAll(List.of("--module-path", modulePath, "-m", "io.jxrp.bpfkv.cli/" + BpfKvCli.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        // small outputs: read after exit
        assertTrue(process.waitFor(150, TimeUnit.SECONDS), "bpfkv " + String.join(" ", args) + " did not finish");
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        Run run = new Run(process.exitValue(), out, err);
        assertEquals(0, run.exit(), "bpfkv " + String.join(" ", args) + ": " + run);
        // a missing export or native-access grant shows as a JVM WARNING, a JIT that fell back to the
        // interpreter as a WARN log line
        assertTrue(!run.err().contains("WARN"), "bpfkv " + String.join(" ", args) + " warned: " + run.err());
        return run;
    }

    @Test
    void theCommandRunsOnTheModulePath(@TempDir Path tmp) throws Exception {
        String db = tmp.resolve("module-path-L2.db").toString();
        bpfkv("create", db, "--layers", "2", "--no-progress");
        assertEquals("5 " + String.format("%63d", 5), bpfkv("get", db, "5").out().lines().findFirst().orElseThrow());
        assertEquals("7 " + String.format("%63d", 7), bpfkv("get", db, "7", "--backend", "java").out().lines().findFirst().orElseThrow());
        assertEquals("count 10", bpfkv("range", db, "0", "10", "--count", "--mode", "pread").out().lines().findFirst().orElseThrow());
        io.jxrp.testing.Requirements.require(BpfFunctions.isAvailable(), () -> "eBPF storage functions unavailable: " + BpfFunctions.unavailabilityCause());
        // at debug level, to see that the JIT's HotSpot compiler directive reached the JVM from a named
        // module too (java.management resolved, HotSpot's diagnostic commands found)
        Run jit = bpfkv(List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=debug"), "get", db, "9", "--function", "bpf",
                "--bpf-exec", "jit");
        assertEquals("9 " + String.format("%63d", 9), jit.out().lines().findFirst().orElseThrow());
        assertTrue(jit.err().contains("HotSpot compiler directive for io/jxrp/ebpf/JitProgram*.* added"), jit.err());
    }
}
