/*
 * NVMe controllers over SPDK's initiator: connect by transport ID (reference counted, as SPDK
 * attaches a controller once per process), the admin-queue poll that carries keep-alive, and
 * namespace facts.
 */
#include "jxrp_spdk.h"

#include <stdlib.h>
#include <string.h>

/*
 * Every connected controller of the process (see struct jxrp_spdk_ctrlr). Global by nature:
 * SPDK's driver is per process and so are its controllers. Guarded by g_ctrlrs_lock; connects
 * are rare (set-up path), so the lock is held across SPDK's connect too.
 */
static pthread_mutex_t g_ctrlrs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct jxrp_spdk_ctrlr *g_ctrlrs;

/* Namespace facts record, see io.jxrp.nvme.spdk.NamespaceInfoDescriptor: 32 bytes. */
struct jxrp_spdk_ns_info {
    uint64_t sector_count;
    uint32_t sector_size;
    uint32_t max_transfer_bytes;
    uint32_t flags;
    uint32_t pad;
    uint64_t reserved;
};
_Static_assert(sizeof(struct jxrp_spdk_ns_info) == 32, "namespace info record is 32 bytes");

#define JXRP_SPDK_NS_FLUSH 1u /* the namespace takes FLUSH (a volatile write cache to flush) */

/*
 * Checks a transport ID string with SPDK's own parser: 0, or -EINVAL. (A trailing space makes
 * SPDK's parser fail; Java normalises whitespace before it gets here.)
 */
JXRP_EXPORT int32_t jxrp_spdk_trid_check(const char *trid_str)
{
    struct spdk_nvme_transport_id trid;
    memset(&trid, 0, sizeof(trid));
    return spdk_nvme_transport_id_parse(&trid, trid_str) == 0 ? 0 : -EINVAL;
}

/*
 * Connects to the controller at trid_str (or takes another reference on the live connection to
 * it). Returns the controller handle (> 0) or -errno: -ENODEV without an environment, -EINVAL for
 * a transport ID SPDK refuses, -ECONNREFUSED/-ENXIO when nothing answered.
 */
JXRP_EXPORT int64_t jxrp_spdk_ctrlr_connect(const char *trid_str)
{
    int state = jxrp_spdk_env_state();
    if (state < 0) {
        return state;
    }
    struct spdk_nvme_transport_id trid;
    memset(&trid, 0, sizeof(trid));
    if (spdk_nvme_transport_id_parse(&trid, trid_str) != 0) {
        return -EINVAL;
    }
    pthread_mutex_lock(&g_ctrlrs_lock);
    for (struct jxrp_spdk_ctrlr *c = g_ctrlrs; c != NULL; c = c->next) {
        if (!__atomic_load_n(&c->failed, __ATOMIC_ACQUIRE) && spdk_nvme_transport_id_compare(&c->trid, &trid) == 0) {
            c->refs++;
            pthread_mutex_unlock(&g_ctrlrs_lock);
            return (int64_t)(uintptr_t)c;
        }
    }
    struct jxrp_spdk_ctrlr *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        pthread_mutex_unlock(&g_ctrlrs_lock);
        return -ENOMEM;
    }
    struct spdk_nvme_ctrlr_opts opts;
    spdk_nvme_ctrlr_get_default_ctrlr_opts(&opts, sizeof(opts));
    errno = 0;
    c->ctrlr = spdk_nvme_connect(&trid, &opts, sizeof(opts));
    if (c->ctrlr == NULL) {
        int err = errno == ECONNREFUSED ? -ECONNREFUSED : -ENXIO;
        pthread_mutex_unlock(&g_ctrlrs_lock);
        free(c);
        return err;
    }
    c->trid = trid;
    c->refs = 1;
    c->next = g_ctrlrs;
    g_ctrlrs = c;
    pthread_mutex_unlock(&g_ctrlrs_lock);
    return (int64_t)(uintptr_t)c;
}

void jxrp_spdk_ctrlr_ref(struct jxrp_spdk_ctrlr *c)
{
    pthread_mutex_lock(&g_ctrlrs_lock);
    c->refs++;
    pthread_mutex_unlock(&g_ctrlrs_lock);
}

void jxrp_spdk_ctrlr_unref(struct jxrp_spdk_ctrlr *c)
{
    pthread_mutex_lock(&g_ctrlrs_lock);
    if (--c->refs > 0) {
        pthread_mutex_unlock(&g_ctrlrs_lock);
        return;
    }
    for (struct jxrp_spdk_ctrlr **p = &g_ctrlrs; *p != NULL; p = &(*p)->next) {
        if (*p == c) {
            *p = c->next;
            break;
        }
    }
    pthread_mutex_unlock(&g_ctrlrs_lock);
    spdk_nvme_detach(c->ctrlr);
    free(c);
}

/* Drops the connect's reference; the controller detaches when no queue pair uses it either. */
JXRP_EXPORT int32_t jxrp_spdk_ctrlr_disconnect(int64_t handle)
{
    jxrp_spdk_ctrlr_unref((struct jxrp_spdk_ctrlr *)(uintptr_t)handle);
    return 0;
}

/*
 * Processes admin completions, which sends keep-alives when due: an NVMe-oF target drops a
 * controller whose admin queue is not polled (about 10 s; I/O does not count). Any thread
 * (SPDK takes the controller lock). Returns completions processed, or -ENXIO once the
 * controller has failed (it stays failed: its I/O then completes with errors).
 */
JXRP_EXPORT int32_t jxrp_spdk_ctrlr_poll_admin(int64_t handle)
{
    struct jxrp_spdk_ctrlr *c = (struct jxrp_spdk_ctrlr *)(uintptr_t)handle;
    if (__atomic_load_n(&c->failed, __ATOMIC_ACQUIRE)) {
        return -ENXIO;
    }
    int32_t rc = spdk_nvme_ctrlr_process_admin_completions(c->ctrlr);
    if (rc < 0 || spdk_nvme_ctrlr_is_failed(c->ctrlr)) {
        __atomic_store_n(&c->failed, 1, __ATOMIC_RELEASE);
        return -ENXIO;
    }
    return rc;
}

/* 1 once the controller failed, else 0. */
JXRP_EXPORT int32_t jxrp_spdk_ctrlr_failed(int64_t handle)
{
    struct jxrp_spdk_ctrlr *c = (struct jxrp_spdk_ctrlr *)(uintptr_t)handle;
    return __atomic_load_n(&c->failed, __ATOMIC_ACQUIRE) ? 1 : 0;
}

/* Highest namespace ID the controller may report (namespaces 1..n, some possibly inactive). */
JXRP_EXPORT int32_t jxrp_spdk_ctrlr_max_nsid(int64_t handle)
{
    struct jxrp_spdk_ctrlr *c = (struct jxrp_spdk_ctrlr *)(uintptr_t)handle;
    return (int32_t)spdk_nvme_ctrlr_get_num_ns(c->ctrlr);
}

/* Writes namespace nsid's facts (struct jxrp_spdk_ns_info) to out: 0, or -ENOENT if inactive. */
JXRP_EXPORT int32_t jxrp_spdk_ns_info(int64_t handle, int32_t nsid, int64_t out_addr)
{
    struct jxrp_spdk_ctrlr *c = (struct jxrp_spdk_ctrlr *)(uintptr_t)handle;
    if (nsid < 1) {
        return -EINVAL;
    }
    struct spdk_nvme_ns *ns = spdk_nvme_ctrlr_get_ns(c->ctrlr, (uint32_t)nsid);
    if (ns == NULL || !spdk_nvme_ns_is_active(ns)) {
        return -ENOENT;
    }
    struct jxrp_spdk_ns_info *out = (struct jxrp_spdk_ns_info *)(uintptr_t)out_addr;
    memset(out, 0, sizeof(*out));
    out->sector_count = spdk_nvme_ns_get_num_sectors(ns);
    out->sector_size = spdk_nvme_ns_get_sector_size(ns);
    out->max_transfer_bytes = spdk_nvme_ns_get_max_io_xfer_size(ns);
    out->flags = (spdk_nvme_ns_get_flags(ns) & SPDK_NVME_NS_FLUSH_SUPPORTED) ? JXRP_SPDK_NS_FLUSH : 0;
    return 0;
}
