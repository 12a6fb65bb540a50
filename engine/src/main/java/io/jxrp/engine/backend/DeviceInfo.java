package io.jxrp.engine.backend;

/**
 * Facts a backend reports about a device before the engine attaches it.
 *
 * @param sizeBytes        bytes readable from offset 0
 * @param logicalBlockSize the device's logical block size: reads and writes are aligned to it
 * @param description      one line for logs (model, controller, file system, ...)
 */
public record DeviceInfo(long sizeBytes, int logicalBlockSize, String description) {
    public DeviceInfo {
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("size " + sizeBytes);
        }
        if (logicalBlockSize < 1 || Integer.bitCount(logicalBlockSize) != 1) {
            throw new IllegalArgumentException("logical block size " + logicalBlockSize + " is not a power of two");
        }
    }
}
