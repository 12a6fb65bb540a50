package io.jxrp.nvme;

import java.nio.file.Path;

/** Run in a child JVM by {@link NvmeNativeTest}: prints what availability looks like there. */
public final class AvailabilityProbeMain {
    private AvailabilityProbeMain() {}

    public static void main(String[] args) {
        System.out.println("available=" + NvmeNative.isAvailable());
        System.out.println("library=" + NvmeNative.isLibraryLoaded());
        System.out.println("cause=" + NvmeNative.unavailabilityCause());
        try {
            NvmeNative.ensureAvailable();
            System.out.println("ensure=ok");
        } catch (UnsupportedOperationException e) {
            System.out.println("ensure=" + e.getClass().getSimpleName() + " cause-kept=" + (e.getCause() == NvmeNative.unavailabilityCause()));
        }
        try {
            DeviceFacts.probe(Path.of("."));
            System.out.println("probe=ok");
        } catch (UnsupportedOperationException e) {
            System.out.println("probe=" + e.getClass().getSimpleName());
        } catch (Exception e) {
            System.out.println("probe=" + e);
        }
    }
}
