package io.jxrp.bench.harness;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The environment a run measured: kernel, CPU, core count, frequency governor, SMT, turbo, load,
 * virtualisation, the database's device (name, model, logical block size, rotational, I/O scheduler, virtual,
 * hardware queues and where their interrupts land),
 * its file system, the JDK and its flags, and the git commit. Every file under {@code /proc} and
 * {@code /sys} is optional: what a host (or a container) does not expose reads as "unknown".
 * {@code root} is "/" except in tests, which point it at a fake tree.
 */
final class Manifest {
    static final String UNKNOWN = "unknown";

    private Manifest() {
    }

    static Map<String, Object> collect(Path root, Path databaseFile, Path gitDir) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", hostName(root));
        m.put("kernel", read(root, "proc/sys/kernel/osrelease"));
        m.put("cpu_model", cpuInfoField(root, "model name"));
        m.put("cores_online", read(root, "sys/devices/system/cpu/online"));
        m.put("available_processors", Runtime.getRuntime().availableProcessors());
        m.put("governor", read(root, "sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"));
        m.put("smt_control", read(root, "sys/devices/system/cpu/smt/control"));
        m.put("smt_active", read(root, "sys/devices/system/cpu/smt/active"));
        m.put("turbo", turbo(root));
        m.put("hypervisor", cpuFlags(root).contains(" hypervisor ")
                ? "yes (" + read(root, "sys/class/dmi/id/sys_vendor") + ")" : "no");
        m.put("load_average", read(root, "proc/loadavg"));
        m.put("memory_total", meminfoTotal(root));
        Map<String, Object> device = device(root, databaseFile);
        m.put("database", databaseFile == null ? UNKNOWN : databaseFile.toAbsolutePath().toString());
        m.putAll(device);
        m.put("jdk", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.runtime.version"));
        m.put("jvm_flags", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        m.put("git_commit", git(gitDir, "rev-parse", "HEAD"));
        String status = git(gitDir, "status", "--porcelain", "--untracked-files=no");
        m.put("git_dirty", status.equals(UNKNOWN) ? UNKNOWN : String.valueOf(!status.isEmpty()));
        return m;
    }

    /** A trimmed file under root, or "unknown" when it is missing or unreadable. */
    static String read(Path root, String relative) {
        return read(root.resolve(relative));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException | RuntimeException e) {
            return UNKNOWN;
        }
    }

    private static String hostName(Path root) {
        String name = read(root, "proc/sys/kernel/hostname");
        if (name.equals(UNKNOWN)) {
            String env = System.getenv("HOSTNAME");
            return env == null || env.isBlank() ? "localhost" : env;
        }
        return name;
    }

    private static String cpuInfoField(Path root, String field) {
        for (String line : read(root, "proc/cpuinfo").split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equals(field)) {
                return line.substring(colon + 1).strip();
            }
        }
        return UNKNOWN;
    }

    private static String cpuFlags(Path root) {
        return " " + cpuInfoField(root, "flags") + " ";
    }

    /** Turbo/boost as the kernel reports it: intel_pstate's no_turbo or cpufreq's boost. */
    private static String turbo(Path root) {
        String noTurbo = read(root, "sys/devices/system/cpu/intel_pstate/no_turbo");
        if (!noTurbo.equals(UNKNOWN)) {
            return noTurbo.equals("1") ? "off (intel_pstate no_turbo=1)" : "on (intel_pstate no_turbo=0)";
        }
        String boost = read(root, "sys/devices/system/cpu/cpufreq/boost");
        if (!boost.equals(UNKNOWN)) {
            return boost.equals("1") ? "on (cpufreq boost=1)" : "off (cpufreq boost=0)";
        }
        return UNKNOWN;
    }

    private static String meminfoTotal(Path root) {
        for (String line : read(root, "proc/meminfo").split("\n")) {
            if (line.startsWith("MemTotal:")) {
                return line.substring("MemTotal:".length()).strip();
            }
        }
        return UNKNOWN;
    }

    /** The block device under the database file and its queue attributes, through /sys/dev/block/MAJ:MIN. */
    static Map<String, Object> device(Path root, Path file) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("file_system", UNKNOWN);
        d.put("device", UNKNOWN);
        d.put("device_model", UNKNOWN);
        d.put("logical_block_size", UNKNOWN);
        d.put("rotational", UNKNOWN);
        d.put("io_scheduler", UNKNOWN);
        d.put("virtual_device", UNKNOWN);
        d.put("hw_queues", UNKNOWN);
        d.put("queue_interrupts", UNKNOWN);
        if (file == null || !Files.exists(file)) {
            return d;
        }
        try {
            FileStore store = Files.getFileStore(file);
            d.put("file_system", store.type() + " (" + store.name() + ")");
        } catch (IOException | RuntimeException e) {
            // stays unknown
        }
        long dev;
        try {
            Object attr = Files.isRegularFile(file) ? Files.getAttribute(file, "unix:dev") : Files.getAttribute(file, "unix:rdev");
            dev = ((Number) attr).longValue();
        } catch (IOException | RuntimeException e) {
            return d;
        }
        long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
        long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
        Path sysDev = root.resolve("sys/dev/block/" + major + ":" + minor);
        String name = major + ":" + minor;
        Path queueDir = sysDev;
        try {
            Path real = sysDev.toRealPath();
            name = real.getFileName().toString();
            // a partition's queue attributes live in its parent disk's directory
            queueDir = Files.isDirectory(real.resolve("queue")) ? real : real.getParent();
            String path = real.toString();
            boolean virtual = path.contains("/virtual/") || path.contains("virtio") || name.startsWith("vd")
                    || name.startsWith("xvd") || name.startsWith("loop") || name.startsWith("zram")
                    || name.startsWith("nbd");
            d.put("virtual_device", virtual ? "yes" : "no");
        } catch (IOException | RuntimeException e) {
            // the sysfs link is missing (container, fake tree): keep the numbers
        }
        d.put("device", name);
        d.put("device_model", read(queueDir.resolve("device/model")));
        d.put("logical_block_size", read(queueDir.resolve("queue/logical_block_size")));
        d.put("rotational", read(queueDir.resolve("queue/rotational")));
        d.put("io_scheduler", read(queueDir.resolve("queue/scheduler")));
        try (var queues = Files.list(queueDir.resolve("mq"))) {
            d.put("hw_queues", String.valueOf(queues.filter(Files::isDirectory).count()));
        } catch (IOException | RuntimeException e) {
            // stays unknown
        }
        d.put("queue_interrupts", queueInterrupts(root, queueDir));
        return d;
    }

    /**
     * Where the device's queue interrupts land: each interrupt of its controller (virtio1-req.0,
     * nvme0q3, ...) with the CPUs it is routed to and its count per CPU so far. A device with one
     * queue whose interrupt lands on one CPU charges every completion's interrupt work to whatever
     * runs there: a reactor on that CPU is slower per hop than one on another.
     */
    static String queueInterrupts(Path root, Path queueDir) {
        String controller;
        try {
            controller = queueDir.resolve("device").toRealPath().getFileName().toString();
        } catch (IOException | RuntimeException e) {
            return UNKNOWN;
        }
        List<String> found = new java.util.ArrayList<>();
        for (String line : read(root, "proc/interrupts").split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 3 || !f[0].endsWith(":")) {
                continue;
            }
            String name = f[f.length - 1];
            if (!name.startsWith(controller) || name.contains("config")) {
                continue;
            }
            String irq = f[0].substring(0, f[0].length() - 1);
            StringBuilder counts = new StringBuilder();
            for (int i = 1; i < f.length && f[i].chars().allMatch(Character::isDigit); i++) {
                counts.append(counts.isEmpty() ? "" : "/").append(f[i]);
            }
            String cpus = read(root, "proc/irq/" + irq + "/effective_affinity_list");
            if (cpus.equals(UNKNOWN)) {
                cpus = read(root, "proc/irq/" + irq + "/smp_affinity_list");
            }
            found.add(name + " on CPU " + cpus + " (per-CPU counts " + counts + ")");
        }
        return found.isEmpty() ? UNKNOWN : String.join("; ", found);
    }

    private static String git(Path dir, String... args) {
        if (dir == null) {
            return UNKNOWN;
        }
        try {
            List<String> command = new java.util.ArrayList<>(List.of("git", "-C", dir.toString()));
            command.addAll(List.of(args));
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return UNKNOWN;
            }
            return out;
        } catch (IOException e) {
            return UNKNOWN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return UNKNOWN;
        }
    }
}
