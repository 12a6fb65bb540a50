package io.jxrp.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import io.jxrp.testing.Commands;
import io.jxrp.testing.Requirements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestTest {
    private static final List<String> KEYS = List.of("host", "kernel", "cpu_model", "cores_online", "available_processors",
            "governor", "smt_control", "smt_active", "turbo", "turbo_source", "hypervisor", "hypervisor_vendor", "load_average",
            "memory_total_bytes", "database", "file_system", "device", "device_model", "logical_block_size", "rotational",
            "io_scheduler", "virtual_device", "hw_queues", "queue_interrupts", "jdk", "jvm_flags", "git_commit", "git_dirty");

    private static void write(Path root, String relative, String text) throws IOException {
        Path f = root.resolve(relative);
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
    }

    @Test
    void readsWhatTheFakeTreeHas(@TempDir Path root) throws IOException {
        write(root, "proc/sys/kernel/osrelease", "6.1.0-test\n");
        write(root, "proc/sys/kernel/hostname", "benchhost\n");
        write(root, "proc/cpuinfo", "processor\t: 0\nmodel name\t: Test CPU @ 3.0GHz\nflags\t\t: fpu sse hypervisor avx\n");
        write(root, "sys/devices/system/cpu/online", "0-7\n");
        write(root, "sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "performance\n");
        write(root, "sys/devices/system/cpu/smt/control", "on\n");
        write(root, "sys/devices/system/cpu/intel_pstate/no_turbo", "1\n");
        write(root, "sys/devices/system/cpu/smt/active", "1\n");
        write(root, "proc/loadavg", "0.52 1.25 3.00 2/345 6789\n");
        write(root, "proc/meminfo", "MemTotal:       24576000 kB\nMemFree: 1 kB\n");
        Path db = root.resolve("db.bin");
        Files.write(db, new byte[512]);
        Map<String, Object> m = Manifest.collect(root, db, null);
        assertEquals("benchhost", m.get("host"));
        assertEquals("6.1.0-test", m.get("kernel"));
        assertEquals("Test CPU @ 3.0GHz", m.get("cpu_model"));
        assertEquals("0-7", m.get("cores_online"));
        assertEquals("performance", m.get("governor"));
        assertEquals("on", m.get("smt_control"));
        assertEquals(false, m.get("turbo"));
        assertEquals("intel_pstate/no_turbo=1", m.get("turbo_source"));
        assertEquals(true, m.get("smt_active"));
        assertEquals(true, m.get("hypervisor"));
        assertEquals(List.of(0.52, 1.25, 3.0), m.get("load_average"));
        assertEquals(24576000L * 1024, m.get("memory_total_bytes"));
        assertEquals(null, m.get("git_commit"));
        assertEquals(null, m.get("git_dirty"));
        for (String key : KEYS) {
            assertTrue(m.containsKey(key), key);
        }
        // typed all the way into manifest.json: numbers, booleans, lists and null
        String json = Json.write(m);
        assertTrue(json.contains("\"turbo\" : false") && json.contains("\"smt_active\" : true")
                && json.contains("\"git_commit\" : null") && json.contains("\"memory_total_bytes\" : 25165824000"), json);
    }

    @Test
    void toleratesAnEmptyTree(@TempDir Path root) {
        Map<String, Object> m = Manifest.collect(root.resolve("nothing-here"), root.resolve("missing.db"), root);
        for (String key : KEYS) {
            assertTrue(m.containsKey(key), key);
        }
        assertNull(m.get("kernel"));
        assertNull(m.get("governor"));
        assertNull(m.get("turbo"));
        assertNull(m.get("device"));
        assertNull(m.get("hypervisor"), "no cpuinfo: unknown, not 'no'");
        assertNull(m.get("load_average"));
        assertEquals("unknown", Manifest.show(m.get("kernel")));
        assertFalse(((String) m.get("host")).isBlank());
    }

    @Test
    void boostReportsTurboWhereIntelPstateIsAbsent(@TempDir Path root) throws IOException {
        write(root, "sys/devices/system/cpu/cpufreq/boost", "1\n");
        Map<String, Object> m = Manifest.collect(root, null, null);
        assertEquals(true, m.get("turbo"));
        assertEquals("cpufreq/boost=1", m.get("turbo_source"));
    }

    @Test
    void queueInterruptsNameTheControllersQueuesAndTheirCpus(@TempDir Path root) throws IOException {
        write(root, "proc/interrupts", """
                           CPU0       CPU1
                  35:          0          0 PCI-MSIX-0000:00:04.0   0-edge      virtio1-config
                  36:          7   45023443 PCI-MSIX-0000:00:04.0   1-edge      virtio1-req.0
                  41:       5060          0 PCI-MSIX-0000:00:06.0   1-edge      virtio3-rx
                 NMI:          0          0   Non-maskable interrupts
                """);
        write(root, "proc/irq/36/effective_affinity_list", "1\n");
        Path controller = root.resolve("sys/devices/pci0000:00/0000:00:04.0/virtio1");
        Files.createDirectories(controller);
        Path queueDir = root.resolve("sys/devices/pci0000:00/0000:00:04.0/virtio1/block/vda");
        Files.createDirectories(queueDir);
        Files.createSymbolicLink(queueDir.resolve("device"), controller);
        assertEquals("virtio1-req.0 on CPU 1 (per-CPU counts 7/45023443)", Manifest.queueInterrupts(root, queueDir));
        assertNull(Manifest.queueInterrupts(root, root.resolve("no-such-queue")));
    }

    @Test
    void theSchedulerInUseIsTheBracketedOne() {
        assertEquals("none", Manifest.scheduler("[none] mq-deadline kyber"));
        assertEquals("mq-deadline", Manifest.scheduler("none [mq-deadline]"));
        assertEquals("none", Manifest.scheduler("none"));
        assertNull(Manifest.scheduler(null));
    }

    /**
     * A real file on this host: the file system and device the manifest names are the ones findmnt,
     * stat and sysfs name for it (not merely filled: the fields start as null).
     */
    @Test
    void anNvmeControllerIsNamedWithItsModelSerialFirmwareAndTransport(@TempDir Path root) throws IOException {
        Path controller = root.resolve("sys/devices/pci0000:00/0000:00:01.0/nvme/nvme0");
        write(root, "sys/devices/pci0000:00/0000:00:01.0/nvme/nvme0/model", "QEMU NVMe Ctrl                          \n");
        write(root, "sys/devices/pci0000:00/0000:00:01.0/nvme/nvme0/serial", "jxrp-lbs512         \n");
        write(root, "sys/devices/pci0000:00/0000:00:01.0/nvme/nvme0/firmware_rev", "7.2.22  \n");
        write(root, "sys/devices/pci0000:00/0000:00:01.0/nvme/nvme0/transport", "pcie\n");
        write(root, "sys/devices/pci0000:00/0000:00:01.0/nvme/nvme0/address", "0000:00:01.0\n");
        Path queueDir = controller.resolve("nvme0n1");
        Files.createDirectories(queueDir);
        Files.createSymbolicLink(queueDir.resolve("device"), controller);
        assertEquals("nvme0: QEMU NVMe Ctrl, serial jxrp-lbs512, firmware 7.2.22, transport pcie at 0000:00:01.0",
                Manifest.controller(queueDir));
        Path virtio = root.resolve("sys/devices/pci0000:00/0000:00:04.0/virtio1");
        Files.createDirectories(virtio.resolve("block/vda"));
        Files.createSymbolicLink(virtio.resolve("block/vda/device"), virtio);
        assertEquals("virtio1", Manifest.controller(virtio.resolve("block/vda")));
        assertNull(Manifest.controller(root.resolve("no-such-queue")));
    }

    @Test
    void deviceOfARealFileOnThisHostHasAName(@TempDir Path dir) throws IOException {
        Requirements.requireTools("findmnt", "stat");
        Path f = dir.resolve("f");
        Files.write(f, new byte[1]);
        Map<String, Object> d = Manifest.device(Path.of("/"), f);

        String[] mount = Commands.run("findmnt", "-n", "-o", "FSTYPE,SOURCE", "-T", f.toString()).split("\\s+");
        assertEquals(mount[0] + " (" + mount[1] + ")", d.get("file_system"));

        String majorMinor = Commands.run("stat", "-c", "%Hd:%Ld", f.toString());
        Path sysfs = Path.of("/sys/dev/block", majorMinor);
        if (Files.exists(sysfs)) {
            Path device = sysfs.toRealPath();
            assertEquals(device.getFileName().toString(), d.get("device"));
            Path queue = Files.isDirectory(device.resolve("queue")) ? device : device.getParent();
            assertEquals(Integer.valueOf(Files.readString(queue.resolve("queue/logical_block_size")).strip()),
                    d.get("logical_block_size"));
            assertEquals(Files.readString(queue.resolve("queue/rotational")).strip().equals("1"), d.get("rotational"));
        } else { // not a block device (overlay, tmpfs): the numbers stand for it
            assertEquals(majorMinor, d.get("device"));
        }
    }
}
