/**
 * jxrp's native shim (io_uring) and its JNA binding: queue pairs, direct files, device facts,
 * FIEMAP, file leases; the SPDK binding (io.jxrp.nvme.spdk, its library built where SPDK is found).
 * Internal to jxrp: exported only to the modules built on it.
 */
// "module": the qualified exports name modules built after this one (not observable when it compiles).
// "requires-automatic": JNA's jar is an automatic module with a declared name (Automatic-Module-Name com.sun.jna).
@SuppressWarnings({"module", "requires-automatic"})
module io.jxrp.nvme {
    requires com.sun.jna;
    requires org.slf4j;

    exports io.jxrp.nvme to io.jxrp.engine, io.jxrp.bpfkv;
    exports io.jxrp.nvme.spdk to io.jxrp.engine, io.jxrp.bpfkv;
}
