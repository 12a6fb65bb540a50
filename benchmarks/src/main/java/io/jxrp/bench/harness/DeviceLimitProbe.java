package io.jxrp.bench.harness;

import io.jxrp.nvme.RawRead;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Measures the device limit on the database file: fio random {@code O_DIRECT} reads through
 * io_uring where fio is installed, else the shim's raw read loop ({@link RawRead}). Both run with
 * one job at the requested depth, reads aligned to the block size over the whole file.
 */
final class DeviceLimitProbe {
    private final Path file;
    private final int blockSize;
    private final double seconds;
    private final String fio;

    /** @param fio the fio executable, or null to use the raw read loop */
    DeviceLimitProbe(Path file, int blockSize, double seconds, String fio) {
        this.file = file;
        this.blockSize = blockSize;
        this.seconds = seconds;
        this.fio = fio;
    }

    /** {@code fio} on the PATH, or null. */
    static String findFio() {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "fio");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    String tool() {
        return fio != null ? "fio" : "rawread";
    }

    DeviceLimit measure(int depth, String phase) throws IOException, InterruptedException {
        if (fio != null) {
            try {
                return new DeviceLimit(depth, blockSize, fioIops(depth), "fio", seconds, phase);
            } catch (IOException e) {
                System.err.println("fio failed (" + e.getMessage() + "); using the shim's raw reads");
            }
        }
        RawRead.Result r = RawRead.randomReads(file, blockSize, Math.min(depth, 4096), (long) (seconds * 1e9), 42, 0);
        return new DeviceLimit(depth, blockSize, r.iops(), "rawread", r.nanos() / 1e9, phase);
    }

    private double fioIops(int depth) throws IOException, InterruptedException {
        long sizeBytes = Files.size(file) / blockSize * blockSize;
        List<String> command = new ArrayList<>(List.of(fio, "--name=jxrp-device-limit", "--filename=" + file,
                "--readonly", "--rw=randread", "--bs=" + blockSize, "--direct=1", "--ioengine=io_uring",
                "--iodepth=" + depth, "--iodepth_batch_submit=" + Math.max(1, depth / 4),
                "--size=" + sizeBytes, "--time_based", "--runtime=" + String.format(Locale.ROOT, "%.0fms", seconds * 1000),
                "--ramp_time=200ms", "--norandommap", "--randrepeat=0", "--numjobs=1", "--group_reporting",
                "--output-format=terse", "--terse-version=3"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor((long) (seconds * 1000) + 60_000, TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException("fio did not finish");
        }
        if (p.exitValue() != 0) {
            throw new IOException("fio exited with " + p.exitValue() + ": " + out.strip());
        }
        return parseTerseReadIops(out);
    }

    /**
     * Read IOPS from fio's terse output (version 3): field 8 of the line that starts with {@code 3;}.
     */
    static double parseTerseReadIops(String output) throws IOException {
        for (String line : output.split("\n")) {
            String[] fields = line.strip().split(";");
            if (fields.length > 8 && fields[0].equals("3")) {
                try {
                    return Double.parseDouble(fields[7]);
                } catch (NumberFormatException e) {
                    throw new IOException("fio's read IOPS field is not a number: " + fields[7], e);
                }
            }
        }
        throw new IOException("no terse v3 line in fio's output: " + output.strip());
    }
}
