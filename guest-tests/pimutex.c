/* Priority-inheritance mutexes (PTHREAD_PRIO_INHERIT: FUTEX_LOCK_PI / UNLOCK_PI / TRYLOCK_PI): three threads that
 * yield while holding one count to a known total (every yield makes the others block in the kernel, so the
 * unlocks hand the lock over); trylock by another thread while it is held is EBUSY; an errorcheck one relocked is
 * EDEADLK; a robust one whose owner exits holding it while main waits gives EOWNERDEAD; a thread waiting for a
 * held one runs a signal's handler while it waits (Linux restarts the lock after it), which main waits for before
 * it unlocks. */
#include "guest.h"
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <unistd.h>

#define THREADS 3
#define ROUNDS 20

static pthread_mutex_t counted, held, robust, waited;
static sem_t locked, handled;
static int counter;

static const char *name(int r)
{
    return r == EOWNERDEAD ? "EOWNERDEAD" : r == EDEADLK ? "EDEADLK" : errname(r);
}

static void init(pthread_mutex_t *m, int type, int robustness)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    CHECK("pimutex", pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT) == 0);
    pthread_mutexattr_settype(&a, type);
    pthread_mutexattr_setrobust(&a, robustness);
    CHECK("pimutex", pthread_mutex_init(m, &a) == 0);
    pthread_mutexattr_destroy(&a);
}

static void *count(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        CHECK("pimutex", pthread_mutex_lock(&counted) == 0);
        int seen = counter;
        sched_yield();
        counter = seen + 1;
        CHECK("pimutex", pthread_mutex_unlock(&counted) == 0);
    }
    return NULL;
}

static void *try_held(void *arg)
{
    *(int *)arg = pthread_mutex_trylock(&held);
    return NULL;
}

static void *die_holding(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&robust);
    sem_post(&locked);
    usleep(20000); /* main blocks on it: the lock is handed over at this thread's exit */
    return NULL;
}

static void on_usr1(int sig)
{
    (void)sig;
    sem_post(&handled); /* async-signal-safe */
}

static void *wait_held(void *arg)
{
    *(int *)arg = pthread_mutex_lock(&waited); /* blocks in FUTEX_LOCK_PI until main unlocks */
    if (*(int *)arg == 0)
        pthread_mutex_unlock(&waited);
    return NULL;
}

int main(void)
{
    pthread_t t[THREADS];
    init(&counted, PTHREAD_MUTEX_NORMAL, PTHREAD_MUTEX_STALLED);
    for (int i = 0; i < THREADS; i++)
        CHECK("pimutex", pthread_create(&t[i], NULL, count, NULL) == 0);
    for (int i = 0; i < THREADS; i++)
        CHECK("pimutex", pthread_join(t[i], NULL) == 0);
    printf("counter: %d\n", counter);

    init(&held, PTHREAD_MUTEX_ERRORCHECK, PTHREAD_MUTEX_STALLED);
    int r = -1;
    CHECK("pimutex", pthread_mutex_lock(&held) == 0);
    CHECK("pimutex", pthread_create(&t[0], NULL, try_held, &r) == 0);
    CHECK("pimutex", pthread_join(t[0], NULL) == 0);
    printf("trylock while held: %s\n", name(r));
    printf("errorcheck relock: %s\n", name(pthread_mutex_lock(&held)));
    printf("unlock: %s\n", name(pthread_mutex_unlock(&held)));

    init(&robust, PTHREAD_MUTEX_NORMAL, PTHREAD_MUTEX_ROBUST);
    sem_init(&locked, 0, 0);
    CHECK("pimutex", pthread_create(&t[0], NULL, die_holding, NULL) == 0);
    sem_wait(&locked);
    printf("lock after its owner died: %s\n", name(pthread_mutex_lock(&robust)));
    CHECK("pimutex", pthread_join(t[0], NULL) == 0);
    printf("consistent: %s\n", name(pthread_mutex_consistent(&robust)));
    printf("unlock: %s\n", name(pthread_mutex_unlock(&robust)));
    printf("lock again: %s\n", name(pthread_mutex_lock(&robust)));
    printf("unlock: %s\n", name(pthread_mutex_unlock(&robust)));

    init(&waited, PTHREAD_MUTEX_NORMAL, PTHREAD_MUTEX_STALLED);
    sem_init(&handled, 0, 0);
    struct sigaction sa = { .sa_handler = on_usr1 };
    sigemptyset(&sa.sa_mask);
    CHECK("pimutex", sigaction(SIGUSR1, &sa, NULL) == 0);
    CHECK("pimutex", pthread_mutex_lock(&waited) == 0);
    r = -1;
    CHECK("pimutex", pthread_create(&t[0], NULL, wait_held, &r) == 0);
    usleep(20000); /* the thread blocks on the held lock */
    CHECK("pimutex", pthread_kill(t[0], SIGUSR1) == 0);
    while (sem_wait(&handled) != 0)
        ;
    printf("handler ran while the lock was held: yes\n");
    CHECK("pimutex", pthread_mutex_unlock(&waited) == 0);
    CHECK("pimutex", pthread_join(t[0], NULL) == 0);
    printf("lock after the handler: %s\n", name(r));
    return 0;
}
