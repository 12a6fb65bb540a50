package io.jxrp.nvme;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class NvmeNativeTest {
    @Test
    void availabilityAndCauseAgree() {
        System.out.println("io_uring shim available=" + NvmeNative.isAvailable() + " cause="
                + NvmeNative.unavailabilityCause() + " kernel=" + System.getProperty("os.version"));
        if (NvmeNative.isAvailable()) {
            assertNull(NvmeNative.unavailabilityCause());
            assertDoesNotThrow(NvmeNative::ensureAvailable);
        } else {
            assertNotNull(NvmeNative.unavailabilityCause());
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    NvmeNative::ensureAvailable);
            assertSame(NvmeNative.unavailabilityCause(), e.getCause());
        }
    }

    @Test
    void errnoNamesComeFromTheShim() {
        TestFiles.assumeLibrary();
        assertEquals("EACCES", NativeErrors.errnoName(13));
        assertEquals("EINVAL", NativeErrors.errnoName(22));
        String message = NativeErrors.ioException("open", "/x", -13).getMessage();
        assertEquals("open /x: EACCES (Permission denied)", message);
    }
}
