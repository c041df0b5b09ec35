/* A spinner whose progress lives only behind a pointer: `while (!s->done) s->count++` with `s` (heap memory) in a
 * register the loop never changes. Every pass reaches the loop's head with the same registers and stack; only the
 * count in the heap tells the passes apart. Only the watchdog can switch between it and main's counting loop, so every
 * switch is a landmark (docs/ARCHITECTURE.md section 3, "Landmarks in memory"), which the replay must find at the
 * recorded pass: its memory words include the word at the pointer, not only the globals the code names. */
#include "guest.h"
#include <pthread.h>
#include <stdlib.h>

struct state {
    volatile int done;
    volatile long count;
};

static void *spinner(void *arg)
{
    struct state *s = arg;
    while (!s->done)
        s->count++;
    return NULL;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 2000000L;
    struct state *s = calloc(1, sizeof *s);
    CHECK("spinheap", s != NULL);
    pthread_t t;
    CHECK("spinheap", pthread_create(&t, NULL, spinner, s) == 0);
    volatile long sum = 0;
    for (long i = 0; i < n; i++)
        sum += i;
    s->done = 1;
    CHECK("spinheap", pthread_join(t, NULL) == 0);
    /* the spinner's count depends on the schedule: it is not printed, so the output is the same natively and in the VM */
    printf("spinheap: sum %ld\n", (long)sum);
    return sum == n * (n - 1) / 2 ? 0 : 1;
}
