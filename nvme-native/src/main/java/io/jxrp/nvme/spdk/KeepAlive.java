package io.jxrp.nvme.spdk;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls the admin queue of every controller in use about once a second, from one daemon thread:
 * an NVMe-oF target drops a controller about 10 s after connect unless its admin queue is
 * polled (that is where SPDK sends keep-alives; I/O does not count). A controller is "in use"
 * while a {@link SpdkController} or a queue pair's attached namespace holds it (counted per native
 * handle). The poll also notices a failed controller, logged once.
 *
 * <p>{@link #release} returns only when no poll of that handle is running or will run, so the
 * caller may then drop its native reference.
 */
final class KeepAlive {
    private static final Logger LOG = LoggerFactory.getLogger(KeepAlive.class);
    private static final long INTERVAL_NANOS =
            TimeUnit.MILLISECONDS.toNanos(Long.getLong("jxrp.spdk.keepAliveMillis", 1000));

    /** Guarded by the class lock: native controller handle -> holders, and what each names. */
    private static final Map<Long, Integer> HOLDERS = new HashMap<>();
    private static final Map<Long, String> NAMES = new HashMap<>();
    private static final Set<Long> REPORTED_FAILED = new HashSet<>();
    private static Thread poller;

    private KeepAlive() {}

    static synchronized void acquire(long ctrlr, String name) {
        HOLDERS.merge(ctrlr, 1, Integer::sum);
        NAMES.putIfAbsent(ctrlr, name);
        if (poller == null) {
            poller = Thread.ofPlatform().daemon().name("jxrp-spdk-keepalive").start(KeepAlive::run);
        }
    }

    static synchronized void release(long ctrlr) {
        Integer left = HOLDERS.merge(ctrlr, -1, Integer::sum);
        if (left != null && left <= 0) {
            HOLDERS.remove(ctrlr);
            NAMES.remove(ctrlr);
            REPORTED_FAILED.remove(ctrlr);
        }
    }

    private static void run() {
        for (;;) {
            LockSupport.parkNanos(INTERVAL_NANOS);
            pollAll();
        }
    }

    private static synchronized void pollAll() {
        for (Map.Entry<Long, Integer> e : HOLDERS.entrySet()) {
            long ctrlr = e.getKey();
            int rc = SpdkShim.jxrp_spdk_ctrlr_poll_admin(ctrlr);
            if (rc < 0 && REPORTED_FAILED.add(ctrlr)) {
                LOG.warn("NVMe controller {} failed ({}): its I/O now completes with errors", NAMES.get(ctrlr),
                        SpdkErrors.errnoName(-rc));
            }
        }
    }
}
