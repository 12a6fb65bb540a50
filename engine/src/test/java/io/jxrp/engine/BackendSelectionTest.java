package io.jxrp.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jxrp.engine.backend.JavaBackend;
import io.jxrp.engine.chain.ChainFile;
import io.jxrp.engine.chain.ChainFunctions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Which backend serves a target and why ({@link Target#backendReason()}): the automatic choice where
 * the io_uring shim works and where it cannot load (a child JVM pointed at a missing library), a
 * forced backend, one given by the caller, and a per-target override next to an automatic choice.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackendSelectionTest {
    private ChainFile chain;

    @BeforeAll
    void setUp() throws Exception {
        chain = ChainFile.create(TestFiles.dir().resolve("backend-selection.bin"), 64, 11);
    }

    private void answersChains(ResubmissionEngine engine, Target target) throws InterruptedException {
        for (int start = 0; start < 64; start += 9) {
            XrpResult<long[]> r = engine.execute(ChainFunctions.chase(start, 5).withTarget(target));
            long[] want = chain.expect(start, 5);
            assertEquals(Outcome.OK, r.outcome(), target.toString());
            assertEquals(want[0], r.value()[0], target.toString());
        }
    }

    /** Where io_uring works the automatic choice is uring, and says so; in CI io_uring must work. */
    @Test
    void autoChoosesUringWhereTheShimWorks() throws Exception {
        TestBackends.requireUring();
        try (ResubmissionEngine engine = ResubmissionEngine.open(chain.path, EngineOptions.defaults())) {
            assertEquals("uring", engine.backendName());
            assertTrue(engine.backendReason().startsWith("auto: io_uring shim loaded; not passthru: " + chain.path),
                    engine.backendReason());
            Target t = engine.defaultTarget();
            assertEquals("uring", t.backendName());
            assertEquals(engine.backendReason(), t.backendReason());
            answersChains(engine, t);
        }
    }

    @Test
    void forcedAndGivenBackendsSaySo() throws Exception {
        try (ResubmissionEngine engine = ResubmissionEngine.open(chain.path, EngineOptions.defaults().withBackend(BackendKind.JAVA))) {
            assertEquals("java", engine.backendName());
            assertEquals("forced", engine.backendReason());
            answersChains(engine, engine.defaultTarget());
        }
        try (ResubmissionEngine engine = ResubmissionEngine.open(chain.path, EngineOptions.defaults(), new JavaBackend(2))) {
            assertEquals("java", engine.backendName());
            assertEquals("given by the caller", engine.backendReason());
        }
        TestBackends.requireUring();
        try (ResubmissionEngine engine = ResubmissionEngine.open(chain.path, EngineOptions.defaults().withBackend(BackendKind.URING))) {
            assertEquals("uring", engine.backendName());
            assertEquals("forced", engine.backendReason());
            answersChains(engine, engine.defaultTarget());
        }
    }

    /** One engine, two targets: one chosen automatically (uring), one forced to java; both answer. */
    @Test
    void aTargetsOwnBackendOverridesTheEnginesChoice() throws Exception {
        TestBackends.requireUring();
        try (ResubmissionEngine engine = ResubmissionEngine.open(EngineOptions.defaults().withReactors(2))) {
            Target auto = engine.addTarget(chain.path);
            Target java = engine.addTarget(TargetSpec.of(chain.path), TargetOptions.defaults().withBackend(BackendKind.JAVA));
            assertEquals("uring", auto.backendName());
            assertTrue(auto.backendReason().startsWith("auto: io_uring shim loaded; not passthru: "), auto.backendReason());
            assertEquals("java", java.backendName());
            assertEquals("forced", java.backendReason());
            answersChains(engine, auto);
            answersChains(engine, java);
        }
    }

    /**
     * Without the shim (a child JVM whose library path names a missing file) the automatic choice is
     * java, the reason carries the load failure, the choice is logged with it, and forcing uring is
     * refused with the same cause.
     */
    @Test
    void withoutTheShimAutoChoosesJavaAndSaysWhy() throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(javaBin, "--enable-native-access=ALL-UNNAMED",
                "-Djxrp.nvme.library=/nonexistent/libjxrp_nvme_missing.so",
                "-Dorg.slf4j.simpleLogger.log.io.jxrp.engine=debug",
                "-cp", System.getProperty("java.class.path"), BackendSelectionMain.class.getName(), chain.path.toString());
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), output);
        assertEquals(0, child.exitValue(), output);
        assertTrue(output.contains("auto.backend=java\n"), output);
        assertTrue(output.contains("auto.reason=auto: io_uring unavailable (java.lang.UnsatisfiedLinkError")
                && output.contains("libjxrp_nvme_missing.so"), output);
        assertTrue(output.contains("auto.outcome=OK"), output);
        assertTrue(output.lines().anyMatch(l -> l.contains("DEBUG io.jxrp.engine.ResubmissionEngine")
                && l.contains("backend java (auto: io_uring unavailable (java.lang.UnsatisfiedLinkError")), output);
        assertTrue(output.contains("uring.refused=jxrp native io_uring shim unavailable: java.lang.UnsatisfiedLinkError"), output);
    }
}
