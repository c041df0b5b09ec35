/* Busy-waiting with no syscall in the loop. On a single vCPU that switches threads only at
 * syscalls, these loops finish only if the VMM preempts the spinning thread (the watchdog kick).
 * Part 1 is the classic `while (!flag);` on a volatile flag; part 2 hands an atomic turn back and
 * forth, so that each round needs another preemption. */
#include "guest.h"
#include <pthread.h>
#include <stdatomic.h>

#define ROUNDS 10

static volatile int flag;
static volatile long answer;

static void *setter(void *arg)
{
    (void)arg;
    long x = 0;
    for (long i = 1; i <= 100000; i++)
        x += i % 7;
    answer = x;
    flag = 1;
    return NULL;
}

static atomic_int turn; /* even: main's move, odd: the partner's move */
static long work;

static void spin_until(int value)
{
    while (atomic_load_explicit(&turn, memory_order_acquire) != value)
        ; /* deliberately empty: no pause, no yield, no syscall */
}

static void *partner(void *arg)
{
    (void)arg;
    for (int r = 0; r < ROUNDS; r++) {
        spin_until(2 * r + 1);
        work += r;
        atomic_store_explicit(&turn, 2 * r + 2, memory_order_release);
    }
    return NULL;
}

int main(void)
{
    pthread_t s;
    CHECK("spinwait", pthread_create(&s, NULL, setter, NULL) == 0);
    while (!flag)
        ;
    printf("TOKEN spinwait flag seen, answer %ld\n", answer);
    pthread_join(s, NULL);

    pthread_t t;
    CHECK("spinwait", pthread_create(&t, NULL, partner, NULL) == 0);
    for (int r = 0; r < ROUNDS; r++) {
        spin_until(2 * r);
        work += 1000;
        atomic_store_explicit(&turn, 2 * r + 1, memory_order_release);
    }
    spin_until(2 * ROUNDS);
    pthread_join(t, NULL);
    printf("TOKEN spinwait ok rounds %d work %ld\n", ROUNDS, work);
    return 0;
}
