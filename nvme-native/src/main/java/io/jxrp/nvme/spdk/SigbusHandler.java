package io.jxrp.nvme.spdk;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The process's SIGBUS disposition, read and put back through libc's {@code sigaction}. Loading
 * SPDK's libraries replaces the JVM's SIGBUS handler (a constructor in SPDK's env library); with
 * SPDK's handler a faulting access to a truncated memory-mapped file spins forever instead of
 * raising {@link InternalError}. {@link Spdk} saves the JVM's handler before the load and restores
 * it after. (SPDK's handler only serves hot-removed PCIe devices, which jxrp does not support.)
 */
final class SigbusHandler {
    private static final int SIGBUS = 7;
    /** {@code sizeof(struct sigaction)} in glibc on x86-64. */
    private static final long SIGACTION_BYTES = 152;
    private static final MethodHandle SIGACTION = sigactionHandle();

    private SigbusHandler() {}

    @SuppressWarnings("restricted") // a downcall into libc: the point of this class
    private static MethodHandle sigactionHandle() {
        Linker linker = Linker.nativeLinker();
        return linker.downcallHandle(linker.defaultLookup().find("sigaction").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                        ValueLayout.ADDRESS));
    }

    /** The current disposition, as glibc's {@code struct sigaction} bytes in {@code arena}. */
    static MemorySegment save(Arena arena) {
        MemorySegment saved = arena.allocate(SIGACTION_BYTES, 8);
        call(MemorySegment.NULL, saved);
        return saved;
    }

    /** Installs a disposition {@link #save} returned. */
    static void restore(MemorySegment saved) {
        call(saved, MemorySegment.NULL);
    }

    /** Address of the current handler function (the first field of {@code struct sigaction}). */
    static long currentHandler() {
        try (Arena arena = Arena.ofConfined()) {
            return save(arena).get(ValueLayout.JAVA_LONG, 0);
        }
    }

    private static void call(MemorySegment install, MemorySegment old) {
        int rc;
        try {
            rc = (int) SIGACTION.invokeExact(SIGBUS, install, old);
        } catch (Throwable t) {
            throw new IllegalStateException("sigaction(SIGBUS) call failed", t);
        }
        if (rc != 0) {
            throw new IllegalStateException("sigaction(SIGBUS) returned " + rc);
        }
    }
}
