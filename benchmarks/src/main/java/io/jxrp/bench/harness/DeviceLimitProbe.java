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
import tools.jackson.databind.JsonNode;

/**
 * Measures the device limit on the database file: fio random {@code O_DIRECT} reads through
 * io_uring where fio is installed (IOPS and read latency from its JSON report), else the shim's raw read loop ({@link RawRead}). Both run with
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
                return fio(depth, phase);
            } catch (IOException e) {
                System.err.println("fio failed (" + e.getMessage() + "); using the shim's raw reads");
            }
        }
        RawRead.Result r = RawRead.randomReads(file, blockSize, Math.min(depth, 4096), (long) (seconds * 1e9), 42, 0);
        return new DeviceLimit(depth, blockSize, r.iops(), "rawread", r.nanos() / 1e9, phase);
    }

    private DeviceLimit fio(int depth, String phase) throws IOException, InterruptedException {
        long sizeBytes = Files.size(file) / blockSize * blockSize;
        List<String> command = new ArrayList<>(List.of(fio, "--name=jxrp-device-limit", "--filename=" + file,
                "--readonly", "--rw=randread", "--bs=" + blockSize, "--direct=1", "--ioengine=io_uring",
                "--iodepth=" + depth, "--iodepth_batch_submit=" + Math.max(1, depth / 4),
                "--size=" + sizeBytes, "--time_based", "--runtime=" + String.format(Locale.ROOT, "%.0fms", seconds * 1000),
                "--ramp_time=200ms", "--norandommap", "--randrepeat=0", "--numjobs=1", "--group_reporting",
                "--lat_percentiles=1", "--percentile_list=50:99:99.9", "--output-format=json"));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor((long) (seconds * 1000) + 60_000, TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException("fio did not finish");
        }
        if (p.exitValue() != 0) {
            throw new IOException("fio exited with " + p.exitValue() + ": " + out.strip());
        }
        return parseFioJson(out, depth, blockSize, phase);
    }

    /**
     * The read side of fio's JSON report: {@code jobs[0].read.iops}, the run time, and the total read
     * latency ({@code lat_ns}: submission to completion) as mean and percentiles.
     */
    static DeviceLimit parseFioJson(String output, int depth, int blockSize, String phase) throws IOException {
        // fio may print notes before the JSON object
        int start = output.indexOf('{');
        if (start < 0) {
            throw new IOException("no JSON in fio's output: " + output.strip());
        }
        JsonNode root = Json.parse(output.substring(start));
        JsonNode read = root.path("jobs").path(0).path("read");
        if (read.isMissingNode() || !read.has("iops")) {
            throw new IOException("fio's JSON has no jobs[0].read.iops");
        }
        JsonNode lat = read.path("lat_ns");
        JsonNode percentiles = lat.path("percentile");
        DeviceLimit.ReadLatency latency = new DeviceLimit.ReadLatency(micros(lat.path("mean")),
                micros(percentiles.path("50.000000")), micros(percentiles.path("99.000000")), micros(percentiles.path("99.900000")));
        return new DeviceLimit(depth, blockSize, read.get("iops").asDouble(), "fio", read.path("runtime").asDouble() / 1e3,
                DeviceLimit.FILE, phase, latency);
    }

    private static double micros(JsonNode nanos) {
        return nanos.isNumber() ? nanos.asDouble() / 1e3 : Double.NaN;
    }
}
