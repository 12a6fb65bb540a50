/*
 * SPDK environment set-up for a JVM host: once per process, hugepages when the machine has
 * them free (else no_huge with a fixed memory size), no PCI probing unless asked for, the
 * caller's CPU affinity and the JVM's SIGBUS handler put back afterwards, and DPDK's run-time
 * directories of dead processes swept away (DPDK 22.11 leaves an empty one after every run).
 */
#include "jxrp_spdk.h"

#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/*
 * Process-wide by nature: SPDK's env initialises once per process (a second spdk_env_init fails
 * even after spdk_env_fini). g_env_state: 1 not yet tried, 0 ready, -errno the failed attempt.
 */
static pthread_mutex_t g_env_lock = PTHREAD_MUTEX_INITIALIZER;
static int g_env_state = 1;
static int g_env_hugepages;
static char g_own_run_dir[600];

int64_t jxrp_now_nanos(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

JXRP_EXPORT const char *jxrp_spdk_errno_name(int32_t err)
{
    const char *name = strerrorname_np(err);
    return name != NULL ? name : "E?";
}

JXRP_EXPORT const char *jxrp_spdk_errno_text(int32_t err)
{
    const char *text = strerrordesc_np(err);
    return text != NULL ? text : "unknown error";
}

int jxrp_spdk_env_state(void)
{
    pthread_mutex_lock(&g_env_lock);
    int state = g_env_state == 1 ? -ENODEV : g_env_state;
    pthread_mutex_unlock(&g_env_lock);
    return state;
}

/* Where DPDK 22.11 puts its per-process run-time directories (eal_get_runtime_dir). */
static void dpdk_run_base(char *out, size_t cap)
{
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    if (getuid() == 0) {
        snprintf(out, cap, "/var/run/dpdk");
    } else if (xdg != NULL) {
        snprintf(out, cap, "%s/dpdk", xdg);
    } else {
        snprintf(out, cap, "/tmp/dpdk");
    }
}

/* Removes a run-time directory and the plain files in it (DPDK puts no subdirectories there). */
static void remove_run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return;
    }
    struct dirent *e;
    char path[1024];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

/* Sweeps spdk_pid<N> directories whose process N no longer exists. Returns how many went. */
static int sweep_dead_run_dirs(void)
{
    char base[512];
    dpdk_run_base(base, sizeof(base));
    DIR *d = opendir(base);
    if (d == NULL) {
        return 0;
    }
    int swept = 0;
    struct dirent *e;
    char path[1024];
    while ((e = readdir(d)) != NULL) {
        char *end;
        if (strncmp(e->d_name, "spdk_pid", 8) != 0) {
            continue;
        }
        long pid = strtol(e->d_name + 8, &end, 10);
        if (*end != '\0' || pid <= 0 || pid == (long)getpid()) {
            continue;
        }
        if (kill((pid_t)pid, 0) == -1 && errno == ESRCH) {
            snprintf(path, sizeof(path), "%s/%s", base, e->d_name);
            remove_run_dir(path);
            swept++;
        }
    }
    closedir(d);
    return swept;
}

static void remove_own_run_dir(void)
{
    if (g_own_run_dir[0] != '\0') {
        remove_run_dir(g_own_run_dir);
    }
}

/* Hugepages are used when hugetlbfs is mounted and pages are free (/proc/meminfo). */
static int hugepages_free(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (f == NULL) {
        return 0;
    }
    char line[256];
    long free_pages = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "HugePages_Free: %ld", &free_pages) == 1) {
            break;
        }
    }
    fclose(f);
    if (free_pages <= 0) {
        return 0;
    }
    f = fopen("/proc/mounts", "r");
    if (f == NULL) {
        return 0;
    }
    int mounted = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strstr(line, " hugetlbfs ") != NULL) {
            mounted = 1;
            break;
        }
    }
    fclose(f);
    return mounted;
}

/*
 * Initialises SPDK's environment for this process.
 *   hugepages: 1 use them, 0 don't (no_huge), -1 when the machine has free ones mounted
 *   mem_size_mb: memory DPDK reserves; required (> 0) without hugepages, <= 0 = DPDK's default
 *   no_pci: 1 keeps DPDK from probing PCI devices (enough for NVMe-oF), 0 probes (PCIe targets)
 *   lcore_map: DPDK lcore map such as "0@(0-1)", or NULL for core 0
 * Returns 0, -EALREADY when it already succeeded, or -errno (also of an earlier failed attempt:
 * SPDK cannot retry). Restores the caller's CPU affinity and the SIGBUS handler around it.
 */
JXRP_EXPORT int32_t jxrp_spdk_env_init(int32_t hugepages, int32_t mem_size_mb, int32_t no_pci, const char *lcore_map)
{
    pthread_mutex_lock(&g_env_lock);
    if (g_env_state != 1) {
        int state = g_env_state == 0 ? -EALREADY : g_env_state;
        pthread_mutex_unlock(&g_env_lock);
        return state;
    }
    int use_huge = hugepages < 0 ? hugepages_free() : hugepages != 0;
    if (!use_huge && mem_size_mb <= 0) {
        pthread_mutex_unlock(&g_env_lock);
        return -EINVAL;
    }
    sweep_dead_run_dirs();

    cpu_set_t affinity;
    int have_affinity = sched_getaffinity(0, sizeof(affinity), &affinity) == 0;
    struct sigaction sigbus;
    int have_sigbus = sigaction(SIGBUS, NULL, &sigbus) == 0;

    struct spdk_env_opts opts;
    opts.opts_size = sizeof(opts);
    spdk_env_opts_init(&opts);
    opts.name = "jxrp";
    opts.shm_id = -1; /* --no-shconf, a per-pid file prefix: several JVMs can run at once */
    opts.no_pci = no_pci != 0;
    opts.no_huge = !use_huge;
    opts.unlink_hugepage = use_huge; /* no hugepage files left behind after the process */
    if (mem_size_mb > 0) {
        opts.mem_size = mem_size_mb;
    }
    if (lcore_map != NULL && lcore_map[0] != '\0') {
        opts.lcore_map = lcore_map;
        opts.core_mask = NULL;
    }
    int rc = spdk_env_init(&opts);

    if (have_sigbus) {
        sigaction(SIGBUS, &sigbus, NULL);
    }
    if (have_affinity) {
        sched_setaffinity(0, sizeof(affinity), &affinity);
    }
    if (rc == 0) {
        char base[512];
        dpdk_run_base(base, sizeof(base));
        snprintf(g_own_run_dir, sizeof(g_own_run_dir), "%s/spdk_pid%d", base, (int)getpid());
        atexit(remove_own_run_dir);
        g_env_hugepages = use_huge;
        g_env_state = 0;
    } else {
        g_env_state = rc < 0 ? rc : -EIO;
    }
    rc = g_env_state;
    pthread_mutex_unlock(&g_env_lock);
    return rc;
}

/* 1 when the environment runs on hugepages, 0 without, -errno when it is not initialised. */
JXRP_EXPORT int32_t jxrp_spdk_env_hugepages(void)
{
    int state = jxrp_spdk_env_state();
    return state < 0 ? state : g_env_hugepages;
}

/* Sweeps the DPDK run-time directories of dead processes; returns how many were removed. */
JXRP_EXPORT int32_t jxrp_spdk_env_sweep(void)
{
    return sweep_dead_run_dirs();
}
