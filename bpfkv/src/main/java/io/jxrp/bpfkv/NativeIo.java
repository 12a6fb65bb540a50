package io.jxrp.bpfkv;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The few libc calls the pread path needs ({@code open}, {@code pread}, {@code close},
 * {@code strerror}), through {@code java.lang.foreign}. FileChannel's O_DIRECT insists on the file
 * system's block size (4 KiB on ext4) for every read; plain pread(2) with O_DIRECT only needs the
 * device's logical block size, so 512 B nodes are read as 512 B, like the original's read() path.
 *
 * <p>Convention: every call returns {@code >= 0} or {@code -errno}; EINTR is retried here;
 * {@link #exception} is the one place that turns an errno into an IOException.
 * Availability is checked once and its cause kept ({@link #unavailabilityCause()}).
 */
final class NativeIo {
    static final int EINTR = 4;
    static final int EINVAL = 22;

    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    /** O_DIRECT differs by architecture (asm-generic 040000 is x86's; arm64 uses 0200000). */
    private static final int O_DIRECT;

    private static final MethodHandle OPEN;
    private static final MethodHandle PREAD;
    private static final MethodHandle CLOSE;
    private static final MethodHandle STRERROR;
    private static final StructLayout CALL_STATE;
    private static final VarHandle ERRNO;
    private static final Throwable UNAVAILABILITY_CAUSE;

    static {
        String arch = System.getProperty("os.arch", "");
        O_DIRECT = arch.equals("aarch64") || arch.equals("arm64") ? 0x10000 : 0x4000;
        MethodHandle open = null;
        MethodHandle pread = null;
        MethodHandle close = null;
        MethodHandle strerror = null;
        StructLayout callState = null;
        VarHandle errno = null;
        Throwable cause = null;
        try {
            if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
                throw new UnsupportedOperationException("O_DIRECT pread path needs Linux, this is " + System.getProperty("os.name"));
            }
            if (!arch.equals("amd64") && !arch.equals("x86_64") && !arch.equals("aarch64") && !arch.equals("arm64")) {
                throw new UnsupportedOperationException("unknown O_DIRECT flag value for architecture " + arch);
            }
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            Linker.Option errnoOption = Linker.Option.captureCallState("errno");
            callState = Linker.Option.captureStateLayout();
            errno = callState.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
            open = downcall(linker, libc, "open", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), errnoOption, Linker.Option.firstVariadicArg(2));
            pread = downcall(linker, libc, "pread", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), errnoOption);
            close = downcall(linker, libc, "close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                    errnoOption);
            strerror = downcall(linker, libc, "strerror", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        } catch (Throwable t) {
            cause = t;
        }
        OPEN = open;
        PREAD = pread;
        CLOSE = close;
        STRERROR = strerror;
        CALL_STATE = callState;
        ERRNO = errno;
        UNAVAILABILITY_CAUSE = cause;
    }

    private NativeIo() {
    }

    @SuppressWarnings("restricted") // downcalls into libc: the point of this class
    private static MethodHandle downcall(Linker linker, SymbolLookup libc, String name, FunctionDescriptor descriptor,
                                         Linker.Option... options) {
        MemorySegment symbol = libc.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return linker.downcallHandle(symbol, descriptor, options);
    }

    static boolean isAvailable() {
        return UNAVAILABILITY_CAUSE == null;
    }

    static Throwable unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }

    /** Opens {@code file} read-only, with O_DIRECT when asked: the descriptor or -errno. */
    static int openReadOnly(Path file, boolean direct) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment path = arena.allocateFrom(file.toString());
            MemorySegment state = arena.allocate(CALL_STATE);
            int flags = O_RDONLY | O_CLOEXEC | (direct ? O_DIRECT : 0);
            while (true) {
                int fd = (int) OPEN.invokeExact(state, path, flags, 0);
                if (fd >= 0) {
                    return fd;
                }
                int errno = (int) ERRNO.get(state, 0L);
                if (errno != EINTR) {
                    return -errno;
                }
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Reads {@code buffer.byteSize()} bytes at {@code offset}: the bytes read (fewer only at the end
     * of the file) or -errno. {@code callState} is a segment of {@link #callStateSize()} bytes.
     */
    static long pread(int fd, MemorySegment buffer, long offset, MemorySegment callState) {
        try {
            long total = 0;
            long length = buffer.byteSize();
            while (total < length) {
                long n = (long) PREAD.invokeExact(callState, fd, buffer.asSlice(total), length - total, offset + total);
                if (n < 0) {
                    int errno = (int) ERRNO.get(callState, 0L);
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
        }
    }

    static long callStateSize() {
        return CALL_STATE.byteSize();
    }

    static int close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int rc = (int) CLOSE.invokeExact(state, fd);
            // close(2) must not be retried on EINTR on Linux: the descriptor is gone either way
            return rc == 0 ? 0 : -(int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The IOException for a failed call: operation, path, errno name and text. */
    static IOException exception(String operation, Path file, int negativeErrno) {
        int errno = -negativeErrno;
        return new IOException(operation + " " + file + ": " + errnoName(errno) + " (" + strerror(errno) + ")");
    }

    @SuppressWarnings("restricted") // strerror's result is a NUL-terminated static string
    private static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    static String errnoName(int errno) {
        return switch (errno) {
            case 1 -> "EPERM";
            case 2 -> "ENOENT";
            case 5 -> "EIO";
            case 9 -> "EBADF";
            case 12 -> "ENOMEM";
            case 13 -> "EACCES";
            case 14 -> "EFAULT";
            case 21 -> "EISDIR";
            case 22 -> "EINVAL";
            case 24 -> "EMFILE";
            case 95 -> "EOPNOTSUPP";
            default -> "errno " + errno;
        };
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
}
