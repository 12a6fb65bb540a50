package io.jxrp.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code scripts/reproduce --spdk-bind} on an NVMe host cannot run here (no NVMe device, no VFIO):
 * its dry run can. The plan it prints must format and mount the device, run the kernel-path points,
 * unmount, bind the device with setup.sh, write the databases onto the raw namespace and run the spdk
 * points, and give the device and the hugepages back on exit; its refusals must come before anything
 * changes. SPDK is faked (a tree with spdk_nvme.pc and a setup.sh that must never run).
 */
class ReproduceDryRunTest {
    private static final Path BASE = Path.of("target", "reproduce-dry-run").toAbsolutePath();
    private static final Path SCRIPT = Path.of("..", "scripts", "reproduce").toAbsolutePath().normalize();
    private static Path spdk;
    private static Path ran;

    record Run(int exit, String output) {
    }

    @BeforeAll
    static void fakeSpdk() throws IOException {
        spdk = BASE.resolve("spdk");
        Files.createDirectories(spdk.resolve("lib/pkgconfig"));
        Files.createDirectories(spdk.resolve("scripts"));
        Files.writeString(spdk.resolve("lib/pkgconfig/spdk_nvme.pc"), "Name: spdk_nvme\n");
        ran = BASE.resolve("setup-ran");
        Files.deleteIfExists(ran);
        Path setup = spdk.resolve("scripts/setup.sh");
        Files.writeString(setup, "#!/bin/sh\necho \"$@\" >> '" + ran + "'\n");
        Files.setPosixFilePermissions(setup, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static Run reproduce(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("SPDK_DIR", spdk.toString());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "reproduce did not finish:\n" + out);
        return new Run(p.exitValue(), out);
    }

    @Test
    void thePlanTakesTheDeviceFromTheKernelAndGivesItBack() throws Exception {
        Path out = BASE.resolve("results");
        Run run = reproduce("--dry-run", "--device", "/dev/nvme7n1", "--format", "--spdk-bind", "--spdk-pci",
                "0000:01:00.0", "--quick", "--out", out.toString());
        String text = run.output();
        assertEquals(0, run.exit(), text);
        List<String> steps = text.lines().filter(l -> l.startsWith("[dry-run]")).toList();
        String plan = String.join("\n", steps);
        int mkfs = indexOf(steps, "mkfs.ext4 -F -q /dev/nvme7n1");
        int kernelRun = indexOf(steps, "io.jxrp.bench.harness.Harness --preset quick --data ");
        int umount = indexOf(steps, "] umount ");
        int bind = indexOf(steps, "env PCI_ALLOWED=0000:01:00.0 HUGEMEM=2048 " + spdk.resolve("scripts/setup.sh") + " config");
        int spdkRun = indexOf(steps, "Harness --modes spdk --spdk-target spdk:trtype:PCIe\\ traddr:0000:01:00.0\\ ns:1 --spdk-create --preset quick");
        int reset = indexOf(steps, "on exit: PCI_ALLOWED='0000:01:00.0' '" + spdk.resolve("scripts/setup.sh") + "' reset");
        int hugepages = indexOf(steps, "on exit: printf '%s' '");
        assertTrue(mkfs < kernelRun && kernelRun < umount && umount < bind && bind < spdkRun && spdkRun < reset
                && reset < hugepages, plan);
        // the quick preset (layers 3, uring and pread, ...) fills both runs' matrix; the spdk run replaces the modes
        assertTrue(!steps.get(kernelRun).contains("--modes") && !steps.get(kernelRun).contains("spdk"), plan);
        assertTrue(steps.get(spdkRun).contains("--name ") && steps.get(spdkRun).contains("-spdk"), plan);
        assertFalse(Files.exists(ran), "the dry run ran setup.sh");
        assertFalse(Files.exists(out), "the dry run made the results directory");
    }

    @Test
    void refusalsComeBeforeAnythingChanges() throws Exception {
        Run noFormat = reproduce("--dry-run", "--device", "/dev/nvme7n1", "--spdk-bind", "--spdk-pci", "0000:01:00.0");
        assertNotEquals(0, noFormat.exit());
        assertTrue(noFormat.output().contains("pass --format too"), noFormat.output());
        Run partition = reproduce("--dry-run", "--device", "/dev/nvme7n1p2", "--format", "--spdk-bind");
        assertNotEquals(0, partition.exit());
        assertTrue(partition.output().contains("is a partition"), partition.output());
        Run noDevice = reproduce("--dry-run", "--dir", BASE.toString(), "--spdk-bind");
        assertTrue(noDevice.output().contains("give --device /dev/nvmeXnY"), noDevice.output());
        Run badPci = reproduce("--dry-run", "--device", "/dev/nvme7n1", "--format", "--spdk-bind", "--spdk-pci", "01:00");
        assertTrue(badPci.output().contains("must be a PCI address"), badPci.output());
        Run spdkMode = reproduce("--dry-run", "--device", "/dev/nvme7n1", "--modes", "uring,spdk");
        assertTrue(spdkMode.output().contains("--spdk-bind adds the spdk points"), spdkMode.output());
        for (Run r : List.of(noFormat, partition, noDevice, badPci, spdkMode)) {
            assertNotEquals(0, r.exit(), r.output());
            assertFalse(r.output().contains("[dry-run]"), "a step was planned before the refusal:\n" + r.output());
        }
        assertFalse(Files.exists(ran), "setup.sh ran");
    }

    private static int indexOf(List<String> steps, String text) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).contains(text)) {
                return i;
            }
        }
        throw new AssertionError("no step with '" + text + "' in:\n" + String.join("\n", steps));
    }
}
