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
 * its file system, the JDK and its flags, and the git commit. Values are typed for whoever reads
 * manifest.json: numbers are numbers, yes/no facts are booleans, lists are lists, and what a host
 * (or a container) does not expose is {@code null}. {@code root} is "/" except in tests, which point
 * it at a fake tree.
 */
final class Manifest {
    /** How the Markdown summary shows a fact the host did not expose. */
    static final String UNKNOWN = "unknown";

    private Manifest() {
    }

    static Map<String, Object> collect(Path root, Path databaseFile, Path gitDir) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", hostName(root));
        m.put("kernel", text(root, "proc/sys/kernel/osrelease"));
        m.put("cpu_model", cpuInfoField(root, "model name"));
        m.put("cores_online", text(root, "sys/devices/system/cpu/online"));
        m.put("available_processors", Runtime.getRuntime().availableProcessors());
        m.put("governor", text(root, "sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"));
        m.put("smt_control", text(root, "sys/devices/system/cpu/smt/control"));
        m.put("smt_active", flag(text(root, "sys/devices/system/cpu/smt/active")));
        putTurbo(root, m);
        String flags = cpuInfoField(root, "flags");
        m.put("hypervisor", flags == null ? null : (" " + flags + " ").contains(" hypervisor "));
        m.put("hypervisor_vendor", Boolean.TRUE.equals(m.get("hypervisor")) ? text(root, "sys/class/dmi/id/sys_vendor") : null);
        m.put("load_average", loadAverage(root));
        m.put("memory_total_bytes", meminfoTotalBytes(root));
        m.put("database", databaseFile == null ? null : databaseFile.toAbsolutePath().toString());
        m.putAll(device(root, databaseFile));
        m.put("jdk", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.runtime.version"));
        m.put("jvm_flags", ManagementFactory.getRuntimeMXBean().getInputArguments());
        String commit = git(gitDir, "rev-parse", "HEAD");
        m.put("git_commit", commit);
        String status = commit == null ? null : git(gitDir, "status", "--porcelain", "--untracked-files=no");
        m.put("git_dirty", status == null ? null : !status.isEmpty());
        return m;
    }

    /** The 1, 5 and 15 minute load averages, or null. */
    static List<Double> loadAverage(Path root) {
        String text = text(root, "proc/loadavg");
        if (text == null) {
            return null;
        }
        String[] f = text.split("\\s+");
        try {
            return f.length < 3 ? null : List.of(Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The value of a manifest entry as the summary shows it: "unknown" for null, lists joined. */
    static String show(Object value) {
        return switch (value) {
            case null -> UNKNOWN;
            case List<?> list -> String.join(" ", list.stream().map(String::valueOf).toList());
            default -> value.toString();
        };
    }

    /** A trimmed file under root, or null when it is missing or unreadable. */
    static String text(Path root, String relative) {
        return text(root.resolve(relative));
    }

    private static String text(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Boolean flag(String text) {
        return text == null ? null : switch (text) {
            case "1" -> true;
            case "0" -> false;
            default -> null;
        };
    }

    private static Integer integer(String text) {
        try {
            return text == null ? null : Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String hostName(Path root) {
        String name = text(root, "proc/sys/kernel/hostname");
        if (name == null) {
            String env = System.getenv("HOSTNAME");
            return env == null || env.isBlank() ? "localhost" : env;
        }
        return name;
    }

    private static String cpuInfoField(Path root, String field) {
        String cpuinfo = text(root, "proc/cpuinfo");
        if (cpuinfo == null) {
            return null;
        }
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equals(field)) {
                return line.substring(colon + 1).strip();
            }
        }
        return null;
    }

    /** Turbo/boost as the kernel reports it (intel_pstate's no_turbo or cpufreq's boost) and where that came from. */
    private static void putTurbo(Path root, Map<String, Object> m) {
        String noTurbo = text(root, "sys/devices/system/cpu/intel_pstate/no_turbo");
        String boost = text(root, "sys/devices/system/cpu/cpufreq/boost");
        if (noTurbo != null) {
            m.put("turbo", noTurbo.equals("0"));
            m.put("turbo_source", "intel_pstate/no_turbo=" + noTurbo);
        } else if (boost != null) {
            m.put("turbo", boost.equals("1"));
            m.put("turbo_source", "cpufreq/boost=" + boost);
        } else {
            m.put("turbo", null);
            m.put("turbo_source", null);
        }
    }

    private static Long meminfoTotalBytes(Path root) {
        String meminfo = text(root, "proc/meminfo");
        if (meminfo == null) {
            return null;
        }
        for (String line : meminfo.split("\n")) {
            if (line.startsWith("MemTotal:")) {
                String[] f = line.substring("MemTotal:".length()).strip().split("\\s+");
                try {
                    return Long.parseLong(f[0]) * (f.length > 1 && f[1].equalsIgnoreCase("kB") ? 1024 : 1);
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        return null;
    }

    /** The block device under the database file and its queue attributes, through /sys/dev/block/MAJ:MIN. */
    static Map<String, Object> device(Path root, Path file) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("file_system", null);
        d.put("device", null);
        d.put("device_model", null);
        d.put("controller", null);
        d.put("logical_block_size", null);
        d.put("rotational", null);
        d.put("io_scheduler", null);
        d.put("virtual_device", null);
        d.put("hw_queues", null);
        d.put("queue_interrupts", null);
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
            d.put("virtual_device", virtual);
        } catch (IOException | RuntimeException e) {
            // the sysfs link is missing (container, fake tree): keep the numbers
        }
        d.put("device", name);
        d.put("device_model", text(queueDir.resolve("device/model")));
        d.put("controller", controller(queueDir));
        d.put("logical_block_size", integer(text(queueDir.resolve("queue/logical_block_size"))));
        d.put("rotational", flag(text(queueDir.resolve("queue/rotational"))));
        d.put("io_scheduler", scheduler(text(queueDir.resolve("queue/scheduler"))));
        try (var queues = Files.list(queueDir.resolve("mq"))) {
            d.put("hw_queues", (int) queues.filter(Files::isDirectory).count());
        } catch (IOException | RuntimeException e) {
            // stays unknown
        }
        d.put("queue_interrupts", queueInterrupts(root, queueDir));
        return d;
    }

    /** The scheduler in use: the bracketed one of "[none] mq-deadline", or the only one listed. */
    static String scheduler(String text) {
        if (text == null) {
            return null;
        }
        int open = text.indexOf('[');
        int close = text.indexOf(']');
        return open >= 0 && close > open ? text.substring(open + 1, close) : text;
    }

    /**
     * The device's controller where sysfs describes one (NVMe): {@code nvme0: QEMU NVMe Ctrl, serial
     * jxrp-lbs512, firmware 7.2.22, transport pcie at 0000:00:01.0}; its name alone otherwise.
     */
    static String controller(Path queueDir) {
        Path ctrl;
        try {
            ctrl = queueDir.resolve("device").toRealPath();
        } catch (IOException | RuntimeException e) {
            return null;
        }
        StringBuilder s = new StringBuilder(ctrl.getFileName().toString());
        String model = text(ctrl.resolve("model"));
        if (model == null) {
            return s.toString();
        }
        s.append(": ").append(model).append(", serial ").append(text(ctrl.resolve("serial")))
                .append(", firmware ").append(text(ctrl.resolve("firmware_rev")))
                .append(", transport ").append(text(ctrl.resolve("transport")));
        String address = text(ctrl.resolve("address"));
        if (address != null) {
            s.append(" at ").append(address);
        }
        return s.toString();
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
            return null;
        }
        String interrupts = text(root, "proc/interrupts");
        if (interrupts == null) {
            return null;
        }
        List<String> found = new java.util.ArrayList<>();
        for (String line : interrupts.split("\n")) {
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
            String cpus = text(root, "proc/irq/" + irq + "/effective_affinity_list");
            if (cpus == null) {
                cpus = text(root, "proc/irq/" + irq + "/smp_affinity_list");
            }
            found.add(name + " on CPU " + cpus + " (per-CPU counts " + counts + ")");
        }
        return found.isEmpty() ? null : String.join("; ", found);
    }

    private static String git(Path dir, String... args) {
        if (dir == null) {
            return null;
        }
        try {
            List<String> command = new java.util.ArrayList<>(List.of("git", "-C", dir.toString()));
            command.addAll(List.of(args));
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return null;
            }
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
