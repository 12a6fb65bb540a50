package io.jxrp.nvme;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NvmeNativeTest {
    @Test
    void availabilityAndCauseAgree() {
        System.out.println("io_uring shim available=" + NvmeNative.isAvailable() + " cause="
                + NvmeNative.unavailabilityCause() + " kernel=" + System.getProperty("os.version"));
        if (io.jxrp.testing.Requirements.partlyRequire(NvmeNative.isAvailable(),
                () -> "io_uring shim unavailable: " + NvmeNative.unavailabilityCause())) {
            assertNull(NvmeNative.unavailabilityCause());
            assertDoesNotThrow(NvmeNative::ensureAvailable);
        } else {
            assertNotNull(NvmeNative.unavailabilityCause());
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    NvmeNative::ensureAvailable);
            assertSame(NvmeNative.unavailabilityCause(), e.getCause());
        }
    }

    /** Child JVMs where the shim cannot load: nothing crashes, the load failure is the kept cause. */
    @Test
    void aLibraryThatCannotLoadIsReportedWithItsCause() throws Exception {
        String missingShim = runProbe("-Djxrp.nvme.library=/nonexistent/libjxrp_nvme_missing.so");
        assertTrue(missingShim.contains("cause=java.lang.UnsatisfiedLinkError"), missingShim);
        assertTrue(missingShim.contains("libjxrp_nvme_missing.so"), "the cause names the library: " + missingShim);

        String noJna = runProbe("-Djna.noclasspath=true", "-Djna.nosys=true");
        assertTrue(noJna.contains("cause=java.lang.UnsatisfiedLinkError"), noJna);
    }

    private static String runProbe(String... properties) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(javaBin,
                "--enable-native-access=ALL-UNNAMED"));
        command.addAll(java.util.List.of(properties));
        command.addAll(java.util.List.of("-cp", System.getProperty("java.class.path"),
                AvailabilityProbeMain.class.getName()));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), output);
        assertEquals(0, child.exitValue(), output);
        assertTrue(output.contains("available=false"), output);
        assertTrue(output.contains("library=false"), output);
        assertTrue(output.contains("ensure=UnsupportedOperationException cause-kept=true"), output);
        assertTrue(output.contains("probe=UnsupportedOperationException"), output);
        return output;
    }

    @Test
    void errnoNamesComeFromTheShim() {
        TestFiles.assumeLibrary();
        assertEquals("EACCES", NativeErrors.errnoName(13));
        assertEquals("EINVAL", NativeErrors.errnoName(22));
        String message = NativeErrors.ioException("open", "/x", -13).getMessage();
        assertEquals("open /x: EACCES (Permission denied)", message);
    }
}
