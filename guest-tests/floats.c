/* Floating point across thread switches: each thread computes with doubles (SSE) and long doubles
 * (x87) while yielding often, formats its results with printf, and prints them in a fixed thread
 * order. A VMM that loses or mixes up FPU/SSE/AVX state on a switch changes the digits. */
#include "guest.h"
#include <pthread.h>
#include <sched.h>

#define NTHREADS 4
#define TERMS 20000

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int next_to_print;

static double series(int t, int yield_every)
{
    /* sum 1/(k^2 + t): converges slowly, so every term matters in the last digits */
    double s = 0.0;
    for (int k = 1; k <= TERMS; k++) {
        s += 1.0 / ((double)k * k + t);
        if (yield_every && k % yield_every == 0)
            sched_yield();
    }
    return s;
}

static long double product(int t)
{
    long double p = 1.0L;
    for (int k = 1; k <= 200; k++) {
        p *= 1.0L + 1.0L / ((long double)k * (k + t + 1));
        if (k % 50 == 0)
            sched_yield();
    }
    return p;
}

static void *worker(void *arg)
{
    int t = (int)(long)arg;
    double quiet = series(t, 0);
    double busy = series(t, 500);   /* same sum, interrupted 40 times by switches */
    long double p = product(t);
    char line[3][128];
    snprintf(line[0], sizeof line[0], "thread %d series %.6f %.10e %g", t, busy, busy * 1e6, busy / 3);
    snprintf(line[1], sizeof line[1], "thread %d product %.6Lf", t, p);
    snprintf(line[2], sizeof line[2], "thread %d same-with-yields %s", t, quiet == busy ? "yes" : "no");

    pthread_mutex_lock(&m);
    while (next_to_print != t)
        pthread_cond_wait(&cv, &m);
    for (int i = 0; i < 3; i++) {
        sched_yield(); /* a switch between formatting and printing as well */
        printf("TOKEN floats %s\n", line[i]);
    }
    printf("TOKEN floats thread %d printf %.6f %.3f %.1f\n", t, quiet * 2, -quiet, 0.25 * (t + 1));
    next_to_print++;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&m);
    return NULL;
}

int main(void)
{
    pthread_t th[NTHREADS];
    for (long i = 0; i < NTHREADS; i++)
        CHECK("floats", pthread_create(&th[i], NULL, worker, (void *)i) == 0);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);
    printf("TOKEN floats done %d\n", NTHREADS);
    return 0;
}
