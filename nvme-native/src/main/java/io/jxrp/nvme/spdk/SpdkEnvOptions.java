package io.jxrp.nvme.spdk;

import java.util.Locale;

/**
 * How SPDK's environment (DPDK) is set up, once per process.
 *
 * @param hugepages whether to run on hugepages: {@code AUTO} uses them when hugetlbfs is mounted and
 *     pages are free, else runs without ({@code no_huge})
 * @param memSizeMb memory DPDK reserves, in MiB; required without hugepages, 0 with hugepages means
 *     DPDK's dynamic default
 * @param pci whether DPDK may probe PCI devices: {@code AUTO} probes only when the first controller
 *     connected is a PCIe one (probing also claims the VM's virtio devices otherwise)
 * @param lcoreMap a DPDK lcore map such as {@code 0@(0-1)}, or null for core 0 (the calling thread's
 *     CPU affinity is restored after set-up either way)
 */
public record SpdkEnvOptions(Mode hugepages, int memSizeMb, Mode pci, String lcoreMap) {
    /** Three-way choice for hugepages and PCI. */
    public enum Mode { AUTO, ON, OFF }

    public static final int DEFAULT_MEM_SIZE_MB = 512;

    public SpdkEnvOptions {
        if (hugepages == null || pci == null) {
            throw new IllegalArgumentException("hugepages and pci modes are required");
        }
        if (memSizeMb < 0 || (hugepages == Mode.OFF && memSizeMb == 0)) {
            throw new IllegalArgumentException("memSizeMb must be > 0 without hugepages (>= 0 with), got " + memSizeMb);
        }
    }

    /** AUTO hugepages, 512 MiB, AUTO PCI, core 0. */
    public static SpdkEnvOptions defaults() {
        return new SpdkEnvOptions(Mode.AUTO, DEFAULT_MEM_SIZE_MB, Mode.AUTO, null);
    }

    /**
     * The defaults overridden by system properties {@code jxrp.spdk.hugepages} (auto|on|off),
     * {@code jxrp.spdk.memSizeMb}, {@code jxrp.spdk.pci} (auto|on|off), {@code jxrp.spdk.lcoreMap}.
     */
    public static SpdkEnvOptions fromSystemProperties() {
        return new SpdkEnvOptions(mode("jxrp.spdk.hugepages"),
                Integer.getInteger("jxrp.spdk.memSizeMb", DEFAULT_MEM_SIZE_MB), mode("jxrp.spdk.pci"),
                System.getProperty("jxrp.spdk.lcoreMap"));
    }

    private static Mode mode(String property) {
        String value = System.getProperty(property, "auto");
        try {
            return Mode.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(property + " must be auto, on or off, got '" + value + "'", e);
        }
    }
}
