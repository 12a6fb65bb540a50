package io.jxrp.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JIT works when jxrp lives in a class loader other than the system one (application servers, plugins). */
class IsolatedClassLoaderTest {
    @Test
    void jitInAChildFirstLoader() throws Exception {
        URL classes = BpfProgram.class.getProtectionDomain().getCodeSource().getLocation();
        URL slf4j = org.slf4j.LoggerFactory.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes, slf4j}, ClassLoader.getPlatformClassLoader())) {
            Class<?> programClass = loader.loadClass("io.jxrp.ebpf.BpfProgram");
            Class<?> machineClass = loader.loadClass("io.jxrp.ebpf.BpfMachine");
            Class<?> modeClass = loader.loadClass("io.jxrp.ebpf.ExecutionMode");
            byte[] code = new byte[8 * 3];
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(code).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (long slot : Asm.assemble("mov r0, r1\nmul r0, 3\nexit")) {
                b.putLong(slot);
            }
            Object program = programClass.getMethod("fromBytes", String.class, byte[].class, List.class)
                    .invoke(null, "isolated", code, List.of());
            Object jit = modeClass.getField("JIT").get(null);
            Object machine = machineClass.getConstructor(modeClass).newInstance(jit);
            Method run = machineClass.getMethod("run", programClass, long.class);
            assertEquals(42L, run.invoke(machine, program, 14L));
        }
    }
}
