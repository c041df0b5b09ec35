/* bench: two threads in counting loops with no system call between: one spins on a flag and counts its passes,
 * the other adds 0..n-1. Only the watchdog can switch between them, so every switch is a preemption at an arbitrary
 * instruction, recorded as a landmark (docs/ARCHITECTURE.md, section 3); the replay must find each one again. */
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>

static volatile int done;
static volatile long spins;

static void *spinner(void *arg) {
    (void)arg;
    while (!done) spins++;
    return NULL;
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 20000000L;
    pthread_t t;
    pthread_create(&t, NULL, spinner, NULL);
    volatile long sum = 0;
    for (long i = 0; i < n; i++) sum += i;
    done = 1;
    pthread_join(t, NULL);
    /* spins depends on the schedule: it is not printed, so the output is the same natively and in the VM */
    printf("sum %ld\n", (long)sum);
    return sum == n * (n - 1) / 2 ? 0 : 1;
}
