package io.jxrp.bench.harness;

import io.jxrp.nvme.spdk.SpdkInstall;
import io.jxrp.nvme.spdk.TransportId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The device limit of an SPDK namespace: SPDK's own {@code spdk_nvme_perf}, random reads of
 * {@code blockSize} bytes at the given depth on the same namespace, one core (its default, core 0).
 * Run without hugepages (512 MiB) unless the machine has free ones.
 */
final class SpdkPerfProbe {
    /** {@code Total : <IOPS> <MiB/s> <avg us> <min us> <max us>}. */
    private static final Pattern TOTAL = Pattern.compile("^Total\\s*:\\s*([0-9.]+)\\s", Pattern.MULTILINE);

    private final SpdkInstall install;
    private final TransportId namespace;
    private final int blockSize;
    private final double seconds;

    SpdkPerfProbe(SpdkInstall install, TransportId namespace, int blockSize, double seconds) {
        this.install = install;
        this.namespace = namespace;
        this.blockSize = blockSize;
        this.seconds = seconds;
    }

    /** Whole seconds: spdk_nvme_perf's -t takes no fraction. */
    long runSeconds() {
        return Math.max(1, Math.round(seconds));
    }

    /** The command line (for the log, and to run it by hand). */
    List<String> command(int depth) {
        List<String> cmd = new ArrayList<>(List.of(install.nvmePerf().toString(), "-q", Integer.toString(depth),
                "-o", Integer.toString(blockSize), "-w", "randread", "-t", Long.toString(runSeconds()),
                "-r", namespace.controllerString() + " ns:" + Integer.toUnsignedString(namespace.nsid())));
        if (!hugepagesFree()) {
            cmd.addAll(List.of("--no-huge", "-s", "512"));
        }
        return cmd;
    }

    DeviceLimit measure(int depth, String phase) throws IOException, InterruptedException {
        List<String> cmd = command(depth);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("LD_LIBRARY_PATH", install.lib().toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(runSeconds() * 1000 + 60_000, TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException("spdk_nvme_perf did not finish: " + String.join(" ", cmd));
        }
        if (p.exitValue() != 0) {
            throw new IOException("spdk_nvme_perf exited with " + p.exitValue() + " (" + String.join(" ", cmd) + "): "
                    + out.strip());
        }
        return new DeviceLimit(depth, blockSize, parseTotalIops(out), "spdk_nvme_perf", runSeconds(),
                DeviceLimit.NAMESPACE, phase);
    }

    /** IOPS from spdk_nvme_perf's {@code Total :} line. */
    static double parseTotalIops(String output) throws IOException {
        Matcher m = TOTAL.matcher(output);
        if (!m.find()) {
            throw new IOException("no 'Total :' line in spdk_nvme_perf's output: " + output.strip());
        }
        return Double.parseDouble(m.group(1));
    }

    private static boolean hugepagesFree() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("HugePages_Free:")) {
                    return Long.parseLong(line.substring("HugePages_Free:".length()).strip()) > 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return false;
        }
        return false;
    }
}
