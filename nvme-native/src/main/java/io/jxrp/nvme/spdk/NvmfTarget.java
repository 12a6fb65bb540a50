package io.jxrp.nvme.spdk;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SPDK's {@code nvmf_tgt} from an {@link SpdkInstall}, for tests and benchmarks: listening on
 * 127.0.0.1 only (a free port), without hugepages or PCI, exporting malloc bdevs and aio bdevs over
 * files as the namespaces of one NVMe/TCP subsystem (namespace IDs in the order given). Configured
 * through a JSON config file at start-up, so nothing but the binary is needed (no rpc.py). Stopped by
 * its pid.
 */
public final class NvmfTarget implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NvmfTarget.class);
    /** A namespace to export. */
    public sealed interface Export permits Malloc, Aio {
        String bdevName();
    }

    /** A RAM-backed bdev of {@code blocks} x {@code blockSize} bytes, zeroed. */
    public record Malloc(String bdevName, long blocks, int blockSize) implements Export {}

    /** A bdev over {@code file} through Linux AIO, with logical block size {@code blockSize}. */
    public record Aio(String bdevName, Path file, int blockSize) implements Export {}

    public static final String SUBNQN = "nqn.2016-06.io.jxrp:fixture";
    private static final long START_TIMEOUT_MILLIS = 60_000;

    private final Process process;
    private final int port;
    private final Path log;
    private final Path rpcSocket;
    private final List<Export> exports;
    /** The core SPDK pins the reactor to. */
    private final int core;

    private NvmfTarget(Process process, int port, Path log, Path rpcSocket, List<Export> exports, int core) {
        this.core = core;
        this.process = process;
        this.port = port;
        this.log = log;
        this.rpcSocket = rpcSocket;
        this.exports = exports;
    }

    /**
     * Starts {@code nvmf_tgt} with {@code exports}, its files in {@code workDir}, and waits until it
     * listens. {@code interruptMode} keeps the target's reactor from spinning a core (tests on a
     * shared machine); benchmarks want it polling. In interrupt mode the reactor, which SPDK pins to
     * its core, may then run on any CPU: on a shared machine a sleeping target woken on one busy core
     * answers late, and every test's target would queue on the same core.
     */
    public static NvmfTarget start(SpdkInstall install, Path workDir, List<Export> exports, boolean interruptMode)
            throws IOException {
        return start(install, workDir, exports, interruptMode, 0);
    }

    /**
     * As above, its reactor on CPU {@code core} (a benchmark keeps it off the cores it measures on;
     * tests use core 0).
     */
    public static NvmfTarget start(SpdkInstall install, Path workDir, List<Export> exports, boolean interruptMode,
                                   int core) throws IOException {
        if (core < 0 || core > 63) {
            throw new IllegalArgumentException("core " + core + " outside 0..63");
        }
        Files.createDirectories(workDir);
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) { // a free port can be taken between probe and bind
            int port = freePort();
            Path log = workDir.resolve("nvmf_tgt-" + port + ".log");
            Path config = workDir.resolve("nvmf_tgt-" + port + ".json");
            Path rpc = workDir.resolve("rpc-" + port + ".sock");
            Files.writeString(config, config(exports, port));
            List<String> cmd = new ArrayList<>(List.of(install.nvmfTgt().toString(), "--no-huge", "-s", "1024", "-u",
                    "-m", "0x" + Long.toHexString(1L << core), "--disable-cpumask-locks", "-r", rpc.toString(), "--json", config.toString()));
            if (interruptMode) {
                cmd.add("--interrupt-mode");
            }
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("LD_LIBRARY_PATH", install.lib().toString());
            Process process = pb.start();
            NvmfTarget target = new NvmfTarget(process, port, log, rpc, List.copyOf(exports), core);
            try {
                target.awaitListening();
                if (interruptMode) {
                    target.unpin();
                }
                return target;
            } catch (IOException e) {
                target.close();
                last = e;
            }
        }
        throw last;
    }

    private void awaitListening() throws IOException {
        String ready = "Listening on 127.0.0.1 port " + port;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MILLIS);
        while (System.nanoTime() < deadline) {
            String text = Files.exists(log) ? Files.readString(log) : "";
            if (text.contains(ready) && Files.exists(rpcSocket)) {
                return;
            }
            if (!process.isAlive()) {
                throw new IOException("nvmf_tgt exited (" + process.exitValue() + ") before listening; its log " + log
                        + ":\n" + tail(text));
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted waiting for nvmf_tgt", e);
            }
        }
        throw new IOException("nvmf_tgt did not listen on 127.0.0.1:" + port + " within " + START_TIMEOUT_MILLIS
                + " ms; its log " + log + ":\n" + tail(Files.readString(log)));
    }

    /** Lets every thread of the target run on any online CPU ({@code taskset}; without it they stay pinned). */
    private void unpin() throws IOException {
        int cpus = Math.min(Runtime.getRuntime().availableProcessors(), 64);
        String mask = Long.toHexString(cpus == 64 ? -1L : (1L << cpus) - 1);
        ProcessBuilder pb = new ProcessBuilder("taskset", "-a", "-p", mask, Long.toString(process.pid()))
                .redirectErrorStream(true);
        try {
            Process taskset = pb.start();
            String out = new String(taskset.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!taskset.waitFor(10, TimeUnit.SECONDS) || taskset.exitValue() != 0) {
                LOG.info("nvmf_tgt pid {} stays pinned to core {}: taskset said {}", process.pid(), core, out.strip());
            }
        } catch (IOException e) {
            LOG.info("nvmf_tgt pid {} stays pinned to core {}: no taskset ({})", process.pid(), core, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted unpinning nvmf_tgt", e);
        }
    }

    private static String tail(String text) {
        return text.length() <= 4000 ? text : text.substring(text.length() - 4000);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String config(List<Export> exports, int port) {
        StringBuilder bdevs = new StringBuilder();
        StringBuilder namespaces = new StringBuilder();
        int nsid = 1;
        for (Export e : exports) {
            if (!bdevs.isEmpty()) {
                bdevs.append(",\n");
            }
            switch (e) {
                case Malloc m -> bdevs.append("{\"method\":\"bdev_malloc_create\",\"params\":{\"name\":\"")
                        .append(m.bdevName()).append("\",\"num_blocks\":").append(m.blocks())
                        .append(",\"block_size\":").append(m.blockSize()).append("}}");
                case Aio a -> bdevs.append("{\"method\":\"bdev_aio_create\",\"params\":{\"name\":\"")
                        .append(a.bdevName()).append("\",\"filename\":\"").append(json(a.file().toAbsolutePath()))
                        .append("\",\"block_size\":").append(a.blockSize()).append("}}");
            }
            namespaces.append(",\n{\"method\":\"nvmf_subsystem_add_ns\",\"params\":{\"nqn\":\"").append(SUBNQN)
                    .append("\",\"namespace\":{\"bdev_name\":\"").append(e.bdevName()).append("\",\"nsid\":")
                    .append(nsid++).append("}}}");
        }
        return "{\"subsystems\":[\n{\"subsystem\":\"bdev\",\"config\":[\n" + bdevs + "\n]},\n"
                + "{\"subsystem\":\"nvmf\",\"config\":[\n"
                + "{\"method\":\"nvmf_create_transport\",\"params\":{\"trtype\":\"TCP\"}},\n"
                + "{\"method\":\"nvmf_create_subsystem\",\"params\":{\"nqn\":\"" + SUBNQN
                + "\",\"allow_any_host\":true,\"serial_number\":\"JXRP00000000001\"}}" + namespaces + ",\n"
                + "{\"method\":\"nvmf_subsystem_add_listener\",\"params\":{\"nqn\":\"" + SUBNQN
                + "\",\"listen_address\":{\"trtype\":\"TCP\",\"adrfam\":\"IPv4\",\"traddr\":\"127.0.0.1\","
                + "\"trsvcid\":\"" + port + "\"}}}\n]}\n]}\n";
    }

    private static String json(Path p) {
        return p.toString().replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** The transport ID of namespace {@code nsid} (1 = the first export). */
    public TransportId namespace(int nsid) {
        return TransportId.parse("spdk:trtype:TCP adrfam:IPv4 traddr:127.0.0.1 trsvcid:" + port + " subnqn:" + SUBNQN
                + " ns:" + nsid);
    }

    /** The transport ID of the export named {@code bdevName}. */
    public TransportId namespace(String bdevName) {
        for (int i = 0; i < exports.size(); i++) {
            if (exports.get(i).bdevName().equals(bdevName)) {
                return namespace(i + 1);
            }
        }
        throw new IllegalArgumentException("no export " + bdevName + " in " + exports);
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    /** SIGKILL, as a crashed or pulled target: connections drop without a goodbye. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Stops the target by its pid (SIGTERM, then SIGKILL after 10 s). Idempotent. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try {
            Files.deleteIfExists(rpcSocket);
            // DPDK 22.11 leaves an empty run-time directory behind, even after a clean stop
            Path runDir = Path.of("/var/run/dpdk/spdk_pid" + process.pid());
            if (!process.isAlive() && Files.isDirectory(runDir)) {
                try (var files = Files.list(runDir)) {
                    for (Path f : files.toList()) {
                        Files.deleteIfExists(f);
                    }
                }
                Files.deleteIfExists(runDir);
            }
        } catch (IOException e) {
            // leftovers are swept by the next SPDK environment set-up (dead pids)
        }
    }

    @Override
    public String toString() {
        return "nvmf_tgt[pid " + pid() + ", 127.0.0.1:" + port + ", " + exports + "]";
    }
}
