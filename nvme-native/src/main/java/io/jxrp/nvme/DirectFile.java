package io.jxrp.nvme;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A file opened read-only with O_DIRECT and read with plain {@code pread(2)}: one system call per
 * read, the synchronous path XRP compares against (its read() baseline) and the slow path of
 * storage applications. Reads need only the device's logical block size (512 B nodes are read as
 * 512 B), unlike FileChannel's O_DIRECT, which insists on the file system's block size.
 *
 * <p>libc is called through {@code java.lang.foreign} (about 9 ns per call here, against 60-90 ns
 * for a JNA call): this path is per read by nature, and the binding must not handicap the baseline.
 * Thread-safe: positional reads share no state.
 */
public final class DirectFile implements AutoCloseable {
    private static final int EINTR = 4;
    private static final int EINVAL = 22;
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    /** O_DIRECT differs by architecture: asm-generic's 040000 on x86-64, 0200000 on arm64. */
    private static final int O_DIRECT;

    private static final MethodHandle OPEN;
    private static final MethodHandle PREAD;
    private static final MethodHandle CLOSE;
    private static final StructLayout CALL_STATE;
    private static final VarHandle ERRNO;
    private static final Throwable UNAVAILABILITY_CAUSE;
    /** Per-thread space for the captured errno, so reads do not allocate. */
    private static final ThreadLocal<MemorySegment> STATE;

    static {
        String arch = System.getProperty("os.arch", "");
        O_DIRECT = arch.equals("aarch64") || arch.equals("arm64") ? 0x10000 : 0x4000;
        MethodHandle open = null;
        MethodHandle pread = null;
        MethodHandle close = null;
        StructLayout callState = null;
        VarHandle errno = null;
        Throwable cause = null;
        try {
            if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
                throw new UnsupportedOperationException("O_DIRECT pread needs Linux, this is " + System.getProperty("os.name"));
            }
            if (!arch.equals("amd64") && !arch.equals("x86_64") && !arch.equals("aarch64") && !arch.equals("arm64")) {
                throw new UnsupportedOperationException("unknown O_DIRECT flag value for architecture " + arch);
            }
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            Linker.Option errnoOption = Linker.Option.captureCallState("errno");
            callState = Linker.Option.captureStateLayout();
            errno = callState.varHandle(MemoryLayout.PathElement.groupElement("errno"));
            open = downcall(linker, libc, "open", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), errnoOption, Linker.Option.firstVariadicArg(2));
            pread = downcall(linker, libc, "pread", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), errnoOption);
            close = downcall(linker, libc, "close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                    errnoOption);
        } catch (Throwable t) {
            cause = t;
        }
        OPEN = open;
        PREAD = pread;
        CLOSE = close;
        CALL_STATE = callState;
        ERRNO = errno;
        UNAVAILABILITY_CAUSE = cause;
        StructLayout layout = callState;
        STATE = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(layout));
    }

    private final Path path;
    private final int fd;
    private final CloseGuard guard = new CloseGuard("DirectFile");

    private DirectFile(Path path, int fd) {
        this.path = path;
        this.fd = fd;
    }

    @SuppressWarnings("restricted") // downcalls into libc: the point of this class
    private static MethodHandle downcall(Linker linker, SymbolLookup libc, String name, FunctionDescriptor descriptor,
                                         Linker.Option... options) {
        MemorySegment symbol = libc.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return linker.downcallHandle(symbol, descriptor, options);
    }

    /** True when libc could be bound (Linux on x86-64 or arm64). */
    public static boolean isAvailable() {
        return UNAVAILABILITY_CAUSE == null;
    }

    /** Why {@link #isAvailable()} is false; null when available. */
    public static Throwable unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }

    /**
     * Opens {@code file} (a regular file or a block device) read-only with O_DIRECT.
     *
     * @throws IOException naming the file and errno; for EINVAL, that the file system lacks O_DIRECT
     */
    public static DirectFile openReadOnly(Path file) throws IOException {
        if (UNAVAILABILITY_CAUSE != null) {
            throw new IOException("O_DIRECT pread unavailable: " + UNAVAILABILITY_CAUSE, UNAVAILABILITY_CAUSE);
        }
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cpath = arena.allocateFrom(file.toString());
            MemorySegment state = arena.allocate(CALL_STATE);
            do {
                fd = (int) OPEN.invokeExact(state, cpath, O_RDONLY | O_CLOEXEC | O_DIRECT, 0);
                if (fd < 0) {
                    fd = -(int) ERRNO.get(state, 0L);
                }
            } while (fd == -EINTR);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (fd == -EINVAL) {
            throw new NativeIOException("open " + file + ": O_DIRECT is not supported by this file system (EINVAL); "
                    + "put the file on a disk file system such as ext4 or xfs", EINVAL);
        }
        if (fd < 0) {
            throw NativeErrors.ioException("open", file, fd);
        }
        return new DirectFile(file, fd);
    }

    public Path path() {
        return path;
    }

    /**
     * Reads {@code buffer.byteSize()} bytes at {@code offset} into {@code buffer}: the bytes read
     * (fewer only at the end of the file) or {@code -errno}. Offset, size and the buffer's address
     * must be multiples of the device's logical block size. Retries EINTR; never throws for I/O errors.
     */
    public long readRaw(MemorySegment buffer, long offset) {
        guard.acquire();
        try {
            MemorySegment state = STATE.get();
            long total = 0;
            long length = buffer.byteSize();
            while (total < length) {
                MemorySegment target = total == 0 ? buffer : buffer.asSlice(total);
                long n = (long) PREAD.invokeExact(state, fd, target, length - total, offset + total);
                if (n < 0) {
                    int errno = (int) ERRNO.get(state, 0L);
                    if (errno == EINTR) {
                        continue;
                    }
                    return -errno;
                }
                if (n == 0) {
                    break;
                }
                total += n;
            }
            return total;
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            guard.release();
        }
    }

    /** {@link #readRaw} that throws an {@link IOException} naming the file, offset and errno. */
    public long read(MemorySegment buffer, long offset) throws IOException {
        long n = readRaw(buffer, offset);
        if (n < 0) {
            throw NativeErrors.ioException("pread at offset " + offset + " of", path, n);
        }
        return n;
    }

    /** Idempotent; waits for reads in progress on other threads. */
    @Override
    public void close() throws IOException {
        if (!guard.markClosed()) {
            return;
        }
        guard.awaitCallsDone();
        int rc;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            rc = (int) CLOSE.invokeExact(state, fd);
            if (rc != 0) {
                rc = -(int) ERRNO.get(state, 0L); // close(2) is not retried on EINTR: the fd is gone either way
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc < 0) {
            throw NativeErrors.ioException("close", path, rc);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("native call failed", t);
    }

    @Override
    public String toString() {
        return "DirectFile[" + path + "]";
    }
}
