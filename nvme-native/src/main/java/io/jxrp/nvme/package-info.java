/**
 * The native shim: io_uring queue pairs over files and block devices, device facts, FIEMAP
 * extents and file leases, bound with JNA direct mapping ({@code NativeShim}, the only class with
 * natives) to {@code libjxrp_nvme.so}, which the build compiles from {@code src/main/c} into the
 * jar's {@code linux-x86-64/} folder.
 *
 * <ul>
 *   <li>{@link io.jxrp.nvme.NvmeNative}: whether the shim loaded and io_uring works here, and why not.</li>
 *   <li>{@link io.jxrp.nvme.QueuePair}: stage descriptors in shared memory, one native call per batch
 *       submits them and reaps completions; a fixed-buffer slab; {@code wakeup()} from any thread.</li>
 *   <li>{@link io.jxrp.nvme.DeviceFacts}: size, logical block size, block device or file, O_DIRECT.</li>
 *   <li>{@link io.jxrp.nvme.Fiemap} / {@link io.jxrp.nvme.Extent}: where a file's bytes live on its device.</li>
 *   <li>{@link io.jxrp.nvme.FileLease}: lease breaks that tell a direct reader a writer is coming.</li>
 *   <li>{@link io.jxrp.nvme.RawRead}: the device's random-read limit, measured in C.</li>
 * </ul>
 *
 * <p>Errors: native results are {@code >= 0} or {@code -errno}; I/O results stay numbers on the hot
 * path ({@link io.jxrp.nvme.QueuePair#completionResult}), everything else becomes a
 * {@link io.jxrp.nvme.NativeIOException} naming the path and the errno, built in one place.
 */
package io.jxrp.nvme;
