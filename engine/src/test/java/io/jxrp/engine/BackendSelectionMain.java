package io.jxrp.engine;

import java.nio.file.Path;

/**
 * Run in a child JVM by {@link BackendSelectionTest}, where the io_uring shim cannot load: prints the
 * backend an automatic choice made for the file in {@code args[0]}, its reason, and what forcing
 * io_uring says.
 */
public final class BackendSelectionMain {
    private BackendSelectionMain() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        try (ResubmissionEngine engine = ResubmissionEngine.open(file, EngineOptions.defaults())) {
            System.out.println("auto.backend=" + engine.backendName());
            System.out.println("auto.reason=" + engine.backendReason());
            XrpResult<long[]> r = engine.execute(io.jxrp.engine.chain.ChainFunctions.chase(0, 3));
            System.out.println("auto.outcome=" + r.outcome());
        }
        try (ResubmissionEngine engine = ResubmissionEngine.open(file, EngineOptions.defaults().withBackend(BackendKind.URING))) {
            System.out.println("uring.backend=" + engine.backendName());
        } catch (UnsupportedOperationException e) {
            System.out.println("uring.refused=" + e.getMessage());
        }
    }
}
