package io.jxrp.nvme.spdk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * An SPDK installation on this machine, for the programs jxrp runs from it ({@code nvmf_tgt} in
 * tests, {@code spdk_nvme_perf} for the benchmarks' device limit): an SPDK tree after {@code make}
 * ({@code build/bin}, {@code build/lib}) or an install prefix ({@code bin}, {@code lib}). Looked for
 * in {@code SPDK_DIR} (environment) or {@code -Djxrp.spdk.dir}, else {@code /usr/local},
 * {@code /opt/spdk}, {@code /opt/spdk*}.
 *
 * @param root the tree or prefix
 * @param bin where {@code nvmf_tgt} and {@code spdk_nvme_perf} are
 * @param lib SPDK's shared libraries (its programs need it on {@code LD_LIBRARY_PATH})
 */
public record SpdkInstall(Path root, Path bin, Path lib) {

    /** The first installation found, or empty. */
    public static Optional<SpdkInstall> find() {
        for (Path candidate : candidates()) {
            Optional<SpdkInstall> install = at(candidate);
            if (install.isPresent()) {
                return install;
            }
        }
        return Optional.empty();
    }

    /** Where {@link #find()} looks, in order. */
    public static List<Path> candidates() {
        List<Path> dirs = new ArrayList<>();
        String property = System.getProperty("jxrp.spdk.dir");
        String env = System.getenv("SPDK_DIR");
        if (property != null && !property.isBlank()) {
            dirs.add(Path.of(property));
        } else if (env != null && !env.isBlank()) {
            dirs.add(Path.of(env));
        } else {
            dirs.add(Path.of("/usr/local"));
            dirs.add(Path.of("/opt/spdk"));
            try (Stream<Path> opt = Files.list(Path.of("/opt"))) {
                opt.filter(p -> p.getFileName().toString().startsWith("spdk") && !p.equals(Path.of("/opt/spdk")))
                        .sorted().forEach(dirs::add);
            } catch (IOException e) {
                // no /opt: nothing more to look at
            }
        }
        return dirs;
    }

    /** The installation at {@code dir} (tree or prefix) if it has {@code nvmf_tgt}. */
    public static Optional<SpdkInstall> at(Path dir) {
        Path tree = dir.resolve("build");
        if (Files.isExecutable(tree.resolve("bin/nvmf_tgt")) && Files.isDirectory(tree.resolve("lib"))) {
            return Optional.of(new SpdkInstall(dir, tree.resolve("bin"), tree.resolve("lib")));
        }
        if (Files.isExecutable(dir.resolve("bin/nvmf_tgt")) && Files.isDirectory(dir.resolve("lib"))) {
            return Optional.of(new SpdkInstall(dir, dir.resolve("bin"), dir.resolve("lib")));
        }
        return Optional.empty();
    }

    public Path nvmfTgt() {
        return bin.resolve("nvmf_tgt");
    }

    public Path nvmePerf() {
        return bin.resolve("spdk_nvme_perf");
    }

    /**
     * Why SPDK-backed tests and benchmarks cannot run here, or null when they can: the shim must have
     * loaded and an installation (for {@code nvmf_tgt}) must be found.
     */
    public static String unavailableReason() {
        if (!Spdk.isAvailable()) {
            return "libjxrp_spdk.so unavailable (built only when SPDK is found at build time: SPDK_DIR or"
                    + " pkg-config spdk_nvme): " + Spdk.unavailabilityCause();
        }
        if (find().isEmpty()) {
            return "no SPDK installation with nvmf_tgt in " + candidates() + " (set SPDK_DIR)";
        }
        return null;
    }
}
