package io.jxrp.nvme.spdk;

import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Run in its own JVM by {@link SpdkEnvTest}: prints the SIGBUS handler before loading SPDK, after
 * the load and after the environment set-up, then touches a memory-mapped file that was truncated
 * under it. With the JVM's handler that is an {@link InternalError}; with SPDK's it would spin.
 */
public final class SigbusProbeMain {
    private SigbusProbeMain() {}

    public static void main(String[] args) throws Exception {
        long before = SigbusHandler.currentHandler();
        boolean available = Spdk.isAvailable();
        long afterLoad = SigbusHandler.currentHandler();
        Spdk.initEnv(SpdkEnvOptions.defaults());
        long afterInit = SigbusHandler.currentHandler();
        System.out.println("available=" + available + " before=" + before + " afterLoad=" + afterLoad
                + " afterInit=" + afterInit);
        Path file = Path.of(args[0]);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(1 << 16);
            MappedByteBuffer map = raf.getChannel().map(FileChannel.MapMode.READ_ONLY, 0, 1 << 16);
            raf.setLength(0);
            try {
                System.out.println("read " + map.get(1 << 15));
            } catch (InternalError e) {
                System.out.println("InternalError: " + e.getMessage());
            }
        }
    }
}
