package io.jxrp.nvme.spdk;

/**
 * Facts of one NVMe namespace, from the controller.
 *
 * @param nsid namespace ID
 * @param sectorSizeBytes logical block size: I/O offsets and lengths are multiples of it
 * @param sectorCount number of logical blocks
 * @param maxTransferBytes the most one command moves (larger I/O is split by SPDK)
 * @param flushSupported whether the namespace takes FLUSH (it has a volatile write cache)
 */
public record NamespaceInfo(int nsid, int sectorSizeBytes, long sectorCount, int maxTransferBytes,
                            boolean flushSupported) {
    /** Capacity in bytes. */
    public long sizeBytes() {
        return sectorCount * sectorSizeBytes;
    }
}
