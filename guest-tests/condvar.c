/* Condition variables: a ping-pong hand-off, a broadcast to many waiters, and timed waits that
 * must time out (CLOCK_REALTIME and CLOCK_MONOTONIC), i.e. FUTEX_WAIT_BITSET with a timeout and
 * the requeue/wake paths libc uses for signal and broadcast. */
#include "guest.h"
#include <pthread.h>
#include <time.h>

static long rounds = 2000; /* argv[1] overrides (a smaller workload, same checks) */
#define WAITERS 8

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_cv = PTHREAD_COND_INITIALIZER;
static int turn;          /* 0: ping's turn, 1: pong's turn */
static long pings, pongs;

static void *ping(void *arg)
{
    (void)arg;
    for (int i = 0; i < rounds; i++) {
        pthread_mutex_lock(&m);
        while (turn != 0)
            pthread_cond_wait(&turn_cv, &m);
        pings++;
        turn = 1;
        pthread_cond_signal(&turn_cv);
        pthread_mutex_unlock(&m);
    }
    return NULL;
}

static void *pong(void *arg)
{
    (void)arg;
    for (int i = 0; i < rounds; i++) {
        pthread_mutex_lock(&m);
        while (turn != 1)
            pthread_cond_wait(&turn_cv, &m);
        CHECK("condvar", pongs == pings - 1);
        pongs++;
        turn = 0;
        pthread_cond_signal(&turn_cv);
        pthread_mutex_unlock(&m);
    }
    return NULL;
}

static pthread_cond_t go_cv = PTHREAD_COND_INITIALIZER;
static int go, waiting, woken;

static void *waiter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m);
    waiting++;
    pthread_cond_broadcast(&go_cv); /* tells main one more waiter is in place */
    while (!go)
        pthread_cond_wait(&go_cv, &m);
    woken++;
    pthread_mutex_unlock(&m);
    return NULL;
}

static void add_ms(struct timespec *ts, long ms)
{
    ts->tv_nsec += ms * 1000000L;
    while (ts->tv_nsec >= 1000000000L) {
        ts->tv_nsec -= 1000000000L;
        ts->tv_sec++;
    }
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        rounds = atol(argv[1]);
    }
    pthread_t a, b;
    CHECK("condvar", pthread_create(&a, NULL, ping, NULL) == 0);
    CHECK("condvar", pthread_create(&b, NULL, pong, NULL) == 0);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    CHECK("condvar", pings == rounds && pongs == rounds);
    printf("TOKEN condvar pingpong %ld %ld\n", pings, pongs);

    pthread_t w[WAITERS];
    for (int i = 0; i < WAITERS; i++)
        CHECK("condvar", pthread_create(&w[i], NULL, waiter, NULL) == 0);
    pthread_mutex_lock(&m);
    while (waiting < WAITERS)
        pthread_cond_wait(&go_cv, &m);
    go = 1;
    pthread_cond_broadcast(&go_cv);
    pthread_mutex_unlock(&m);
    for (int i = 0; i < WAITERS; i++)
        pthread_join(w[i], NULL);
    CHECK("condvar", woken == WAITERS);
    printf("TOKEN condvar broadcast %d\n", woken);

    /* Nobody signals these: both waits must end by their timeout. */
    pthread_cond_t lonely = PTHREAD_COND_INITIALIZER;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    add_ms(&ts, 20);
    pthread_mutex_lock(&m);
    int rc = pthread_cond_timedwait(&lonely, &m, &ts);
    pthread_mutex_unlock(&m);
    printf("TOKEN condvar timedwait realtime %s\n", errname(rc));

    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    CHECK("condvar", pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0);
    pthread_cond_t mono;
    pthread_cond_init(&mono, &attr);
    clock_gettime(CLOCK_MONOTONIC, &ts);
    add_ms(&ts, 20);
    pthread_mutex_lock(&m);
    rc = pthread_cond_timedwait(&mono, &m, &ts);
    pthread_mutex_unlock(&m);
    printf("TOKEN condvar timedwait monotonic %s\n", errname(rc));
    return 0;
}
