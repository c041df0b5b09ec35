/* bench: a compute-bound loop with no system call inside it. The VM should run it at native speed. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

static uint64_t mix(uint64_t x) { x ^= x >> 33; x *= 0xff51afd7ed558ccdULL; x ^= x >> 29; return x; }

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 300000000L;
    uint64_t acc = 1;
    for (long i = 0; i < n; i++) acc = mix(acc + (uint64_t)i);
    printf("compute %ld %llu\n", n, (unsigned long long)acc);
    return 0;
}
