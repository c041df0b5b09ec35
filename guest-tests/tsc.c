/* rdtsc, rdtscp and __rdtsc() in two threads and main: each thread's reads never go back, and rdtscp's
 * TSC_AUX names a CPU that exists. In the VM every read is a recorded input (CR4.TSD, frame kind 9).
 * Only facts that hold on any machine are printed; a CPU without rdtscp skips it (said on stderr). */
#include "guest.h"
#include <cpuid.h>
#include <pthread.h>
#include <unistd.h>
#include <x86intrin.h>

#define READS 4
#define THREADS 2

static int have_rdtscp;
static long ncpus;

struct result {
    int reads;
    int monotonic;
    int aux_ok;
};

static inline uint64_t rdtsc_asm(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static inline uint64_t rdtscp_asm(uint32_t *aux)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(*aux));
    return (uint64_t)hi << 32 | lo;
}

static void *reader(void *arg)
{
    struct result *r = arg;
    uint64_t last = 0;
    r->monotonic = 1;
    r->aux_ok = 1;
    for (int i = 0; i < READS; i++) {
        uint64_t v[3];
        int n = 0;
        v[n++] = rdtsc_asm();
        v[n++] = __rdtsc();
        if (have_rdtscp) {
            uint32_t aux = 0xffffffffu;
            v[n++] = rdtscp_asm(&aux);
            if ((long)(aux & 0xfff) >= ncpus)
                r->aux_ok = 0;
        }
        for (int k = 0; k < n; k++) {
            if (v[k] < last)
                r->monotonic = 0;
            last = v[k];
        }
        r->reads += 2; /* rdtscp reads are not counted: the same line whether the CPU has it or not */
    }
    return NULL;
}

int main(void)
{
    unsigned a, b, c, d;
    have_rdtscp = __get_cpuid(0x80000001, &a, &b, &c, &d) && (d & (1u << 27));
    if (!have_rdtscp)
        fprintf(stderr, "tsc: this CPU has no rdtscp: skipped\n");
    ncpus = sysconf(_SC_NPROCESSORS_CONF);
    CHECK("tsc", ncpus >= 1);

    struct result r[THREADS + 1] = {0};
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        CHECK("tsc", pthread_create(&t[i], NULL, reader, &r[i]) == 0);
    reader(&r[THREADS]);
    for (int i = 0; i < THREADS; i++)
        CHECK("tsc", pthread_join(t[i], NULL) == 0);
    for (int i = 0; i <= THREADS; i++)
        printf("%s: %d TSC reads, monotonic %s, rdtscp aux names a CPU %s\n", i == THREADS ? "main" : "thread",
               r[i].reads, r[i].monotonic ? "yes" : "no", r[i].aux_ok ? "yes" : "no");
    uint64_t before = __rdtsc();
    uint64_t after = rdtsc_asm();
    printf("TSC monotonic %s\n", after >= before ? "yes" : "no");
    return 0;
}
