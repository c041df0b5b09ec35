/*
 * A compute-bound program with a recognisable call tree, for the function profile and for
 * measuring the VM against native speed. Two threads share the work:
 *   main thread:   matrix_suite -> matmul -> dot_product
 *                  sort_suite   -> fill_random, quicksort -> partition, insertion_sort; is_sorted
 *   number thread: fib_suite    -> fib (recursive)
 *                  prime_suite  -> sieve, count_twin_primes
 * No syscalls in the hot paths, no floating point: results are exact and deterministic.
 *   usage: calltree [scale]     (work grows linearly with scale; default 1)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))

static int scale = 1;

/* ---- numbers --------------------------------------------------------------------------- */

NOINLINE static uint64_t fib(int n)
{
    return n < 2 ? (uint64_t)n : fib(n - 1) + fib(n - 2);
}

NOINLINE static uint64_t fib_suite(void)
{
    uint64_t sum = 0;
    for (int round = 0; round < scale; round++)
        for (int n = 20; n <= 30; n++)
            sum += fib(n);
    return sum;
}

NOINLINE static void sieve(unsigned char *composite, int limit)
{
    memset(composite, 0, (size_t)limit + 1);
    composite[0] = composite[1] = 1;
    for (long i = 2; i * i <= limit; i++)
        if (!composite[i])
            for (long j = i * i; j <= limit; j += i)
                composite[j] = 1;
}

NOINLINE static long count_twin_primes(const unsigned char *composite, int limit)
{
    long twins = 0;
    for (int i = 3; i + 2 <= limit; i += 2)
        twins += !composite[i] && !composite[i + 2];
    return twins;
}

NOINLINE static long prime_suite(void)
{
    const int limit = 2000000;
    unsigned char *composite = malloc((size_t)limit + 1);
    long twins = 0;
    for (int round = 0; round < scale; round++) {
        sieve(composite, limit);
        twins += count_twin_primes(composite, limit);
    }
    free(composite);
    return twins;
}

struct numbers {
    uint64_t fib_sum;
    long twin_primes;
};

static void *number_thread(void *arg)
{
    struct numbers *out = arg;
    out->fib_sum = fib_suite();
    out->twin_primes = prime_suite();
    return NULL;
}

/* ---- matrices -------------------------------------------------------------------------- */

#define N 160
#define MOD 1000003u

static uint32_t a[N][N], b[N][N], c[N][N];

NOINLINE static uint32_t dot_product(int row, int col)
{
    uint64_t s = 0;
    for (int k = 0; k < N; k++)
        s += (uint64_t)a[row][k] * b[k][col];
    return (uint32_t)(s % MOD);
}

NOINLINE static void matmul(void)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            c[i][j] = dot_product(i, j);
}

NOINLINE static uint64_t matrix_suite(void)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            a[i][j] = (uint32_t)(i * 31 + j * 17) % MOD;
            b[i][j] = (uint32_t)(i * 7 + j * 13 + 1) % MOD;
        }
    uint64_t trace = 0;
    for (int round = 0; round < 3 * scale; round++) {
        matmul();
        memcpy(a, c, sizeof a); /* next round multiplies the product again */
        for (int i = 0; i < N; i++)
            trace += c[i][i];
    }
    return trace;
}

/* ---- sorting --------------------------------------------------------------------------- */

NOINLINE static void fill_random(uint32_t *v, int n, uint64_t seed)
{
    for (int i = 0; i < n; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        v[i] = (uint32_t)(seed >> 33);
    }
}

NOINLINE static void insertion_sort(uint32_t *v, int n)
{
    for (int i = 1; i < n; i++) {
        uint32_t x = v[i];
        int j = i - 1;
        while (j >= 0 && v[j] > x) {
            v[j + 1] = v[j];
            j--;
        }
        v[j + 1] = x;
    }
}

NOINLINE static int partition(uint32_t *v, int n)
{
    uint32_t pivot = v[n / 2];
    int i = -1, j = n;
    for (;;) {
        do
            i++;
        while (v[i] < pivot);
        do
            j--;
        while (v[j] > pivot);
        if (i >= j)
            return j + 1;
        uint32_t t = v[i];
        v[i] = v[j];
        v[j] = t;
    }
}

NOINLINE static void quicksort(uint32_t *v, int n)
{
    while (n > 16) {
        int p = partition(v, n);
        /* recurse into the smaller half, loop on the larger: bounded stack depth */
        if (p < n - p) {
            quicksort(v, p);
            v += p;
            n -= p;
        } else {
            quicksort(v + p, n - p);
            n = p;
        }
    }
    insertion_sort(v, n);
}

NOINLINE static int is_sorted(const uint32_t *v, int n)
{
    for (int i = 1; i < n; i++)
        if (v[i - 1] > v[i])
            return 0;
    return 1;
}

NOINLINE static uint64_t sort_suite(int *sorted_ok)
{
    const int n = 300000;
    uint32_t *v = malloc(sizeof *v * (size_t)n);
    uint64_t sample = 0;
    *sorted_ok = 1;
    for (int round = 0; round < scale; round++) {
        fill_random(v, n, 42 + (uint64_t)round);
        quicksort(v, n);
        *sorted_ok &= is_sorted(v, n);
        sample += v[0] + v[n / 2] + v[n - 1];
    }
    free(v);
    return sample;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        scale = atoi(argv[1]) > 0 ? atoi(argv[1]) : 1;
    struct numbers numbers;
    pthread_t t;
    if (pthread_create(&t, NULL, number_thread, &numbers) != 0) {
        perror("pthread_create");
        return 1;
    }
    uint64_t trace = matrix_suite();
    int sorted_ok;
    uint64_t sample = sort_suite(&sorted_ok);
    pthread_join(t, NULL);

    printf("scale %d\n", scale);
    printf("fib(20..30) summed %d times: %llu\n", scale, (unsigned long long)numbers.fib_sum);
    printf("twin primes below 2000000, counted %d times: %ld\n", scale, numbers.twin_primes);
    printf("matrix %dx%d, %d products mod %u, trace sum %llu\n", N, N, 3 * scale, MOD, (unsigned long long)trace);
    printf("sorted %d x 300000 numbers: %s, sample %llu\n", scale, sorted_ok ? "ok" : "NOT SORTED",
           (unsigned long long)sample);
    return sorted_ok ? 0 : 1;
}
