package io.jxrp.ebpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The plugin as the bpf_conformance runner drives it: a separate process, memory as argv[1],
 * options as argv[2], the program as hex on stdin, r0 read from stdout, success from the exit code.
 */
class PluginProcessTest {
    record Outcome(int exit, String stdout) {}

    private static Outcome plugin(String programHex, String memoryHex, String options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dslf4j.internal.verbosity=ERROR",
                "-cp", System.getProperty("java.class.path"), JxrpBpf.class.getName(), memoryHex, options));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream in = process.getOutputStream()) {
            in.write((programHex + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Outcome(process.waitFor(), out.trim());
    }

    @Test
    void successPrintsR0InHex() throws Exception {
        // ldxh r0, [r1+1]; exit  over memory 11 22 33
        Outcome o = plugin("69  10  01  00  00  00  00  00  95  00  00  00  00  00  00  00  ", "11  22  33  ", "--jit");
        assertEquals(0, o.exit());
        assertEquals("3322", o.stdout());
        o = plugin("69 10 01 00 00 00 00 00 95 00 00 00 00 00 00 00", "11 22 33", "--interp");
        assertEquals("3322", o.stdout());
    }

    @Test
    void failureExitsNonZeroWithAMessage() throws Exception {
        // lddw missing its second slot
        Outcome o = plugin("18 00 00 00 00 00 00 00", "", "");
        assertNotEquals(0, o.exit());
        assertTrue(o.stdout().contains("second slot"), o.stdout());
        // division by zero is not an error: r0 = 0
        o = plugin("b7 00 00 00 07 00 00 00 37 00 00 00 00 00 00 00 95 00 00 00 00 00 00 00", "", "");
        assertEquals(0, o.exit());
        assertEquals("0", o.stdout());
    }
}
