/* mremap(2) on anonymous memory: shrink in place, grow in place, grow by moving (the contents go
 * along), a fixed move that replaces what was there, Linux's errors, and realloc of
 * a large block (glibc grows its mmapped chunks with mremap). Only relative facts are printed, so
 * the VM and a native run print the same lines. */
#include "guest.h"

#include <sys/mman.h>
#include <unistd.h>

#define P 4096UL

static void fill(char *p, unsigned long pages, int seed)
{
    for (unsigned long i = 0; i < pages; i++) {
        memset(p + i * P, seed + (int)i, P);
    }
}

static int holds(const char *p, unsigned long pages, int seed)
{
    for (unsigned long i = 0; i < pages; i++) {
        for (unsigned long j = 0; j < P; j += 512) {
            if (p[i * P + j] != (char)(seed + (int)i)) {
                return 0;
            }
        }
    }
    return 1;
}

static int zero(const char *p, unsigned long len)
{
    for (unsigned long j = 0; j < len; j += 256) {
        if (p[j] != 0) {
            return 0;
        }
    }
    return 1;
}

/* Whether [p, p+len) is unmapped: mprotect answers ENOMEM for a hole. */
static int unmapped(void *p, unsigned long len)
{
    return mprotect(p, len, PROT_READ) == -1 && errno == ENOMEM;
}

int main(void)
{
    /* A 16-page reservation gives every step a known neighbourhood, natively and in the VM. */
    char *r = mmap(NULL, 16 * P, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK("reserve", r != MAP_FAILED);

    char *p = mmap(r, 4 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK("map", p == r);
    fill(p, 4, 10);
    char *q = mremap(p, 4 * P, 2 * P, 0);
    printf("shrink: %s, contents %s, tail %s\n", q == p ? "in place" : "moved", holds(q, 2, 10) ? "kept" : "LOST",
           unmapped(p + 2 * P, 2 * P) ? "unmapped" : "STILL MAPPED");

    /* the two pages after it are free now, the rest of the reservation is not */
    q = mremap(p, 2 * P, 4 * P, 0);
    printf("grow into free pages: %s, contents %s, new pages %s\n", q == p ? "in place" : "moved",
           holds(q, 2, 10) ? "kept" : "LOST", zero(q + 2 * P, 2 * P) ? "zero" : "NOT ZERO");

    q = mremap(p, 4 * P, 8 * P, 0);
    printf("grow against a mapping without MREMAP_MAYMOVE: %s\n", q == MAP_FAILED ? errname(errno) : "GREW");

    q = mremap(p, 4 * P, 8 * P, MREMAP_MAYMOVE);
    CHECK("maymove", q != MAP_FAILED);
    printf("grow with MREMAP_MAYMOVE: %s, contents %s, new pages %s, old range %s\n", q != p ? "moved" : "in place",
           holds(q, 2, 10) ? "kept" : "LOST", zero(q + 4 * P, 4 * P) ? "zero" : "NOT ZERO",
           unmapped(p, 4 * P) ? "unmapped" : "STILL MAPPED");
    q[8 * P - 1] = 1;

    /* a fixed move onto the reservation's PROT_NONE part replaces it there */
    char *target = r + 8 * P;
    char *f = mremap(q, 8 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_FIXED, target);
    printf("fixed move: %s, contents %s, old range %s\n", f == target ? "at the target" : "ELSEWHERE",
           f != MAP_FAILED && holds(f, 2, 10) ? "kept" : "LOST", unmapped(q, 8 * P) ? "unmapped" : "STILL MAPPED");

    errno = 0;
    printf("unaligned: %s\n", mremap(f + 1, P, P, 0) == MAP_FAILED ? errname(errno) : "OK");
    printf("new size 0: %s\n", mremap(f, P, 0, 0) == MAP_FAILED ? errname(errno) : "OK");
    printf("unknown flag: %s\n", mremap(f, P, P, 64) == MAP_FAILED ? errname(errno) : "OK");
    printf("MREMAP_FIXED alone: %s\n", mremap(f, P, P, MREMAP_FIXED, r) == MAP_FAILED ? errname(errno) : "OK");
    printf("nothing mapped: %s\n", mremap(q, P, P, 0) == MAP_FAILED ? errname(errno) : "OK");

    /* realloc of a large block: glibc moves its mmapped chunk with mremap, musl too for large sizes */
    unsigned long big = 1UL << 20;
    unsigned char *b = malloc(big);
    CHECK("malloc", b != NULL);
    for (unsigned long i = 0; i < big; i += 4096) {
        b[i] = (unsigned char)(i >> 12);
    }
    b = realloc(b, 4 * big);
    CHECK("realloc", b != NULL);
    int ok = 1;
    for (unsigned long i = 0; i < big; i += 4096) {
        ok &= b[i] == (unsigned char)(i >> 12);
    }
    memset(b + big, 7, 3 * big);
    printf("realloc 1 MiB -> 4 MiB: contents %s\n", ok ? "kept" : "LOST");
    free(b);
    puts("mremaps done");
    return 0;
}
