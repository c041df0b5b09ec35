/* The lock profile's known answers (LockProfileGuestTest records this in locks mode and checks `insight analyze
 * --locks` against them, per lock and per acquisition site, the sites being the MARK lines below):
 *   held          2 acquisitions: main's (not contended) and blocked()'s, which is contended: main holds `held`
 *                 from before blocked() starts until long after it has called pthread_mutex_lock (main waits for it
 *                 to start, then sleeps); and 1 failed trylock, blocked()'s, while main holds it;
 *   counter_lock  2 * ROUNDS acquisitions by two threads that run one after the other, and 1 by main: 11, none
 *                 contended (no two threads ever run at once but main and blocked());
 *   table_lock    2 read acquisitions at one site and 1 write acquisition, by main alone;
 *   leaked        1 acquisition by a thread that ends holding it: held at exit;
 *   cond_lock     2 acquisitions by main: its pthread_mutex_lock, and the retaking of the mutex by a
 *                 pthread_cond_timedwait that nobody signals (it times out once), which has no wait.
 * Nothing else of this program is contended, so the profile has exactly one contended acquisition. */
#include "guest.h"
#include <pthread.h>
#include <semaphore.h>
#include <time.h>

#define ROUNDS 5

static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t leaked = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t table_lock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t cond_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;
static sem_t started;
static long counter;
/* Read at run time, so that the compiler cannot unroll the loops into several call sites. */
static volatile int rounds = ROUNDS;

static void *blocked(void *arg)
{
    (void)arg;
    sem_post(&started);
    CHECK("lockprofile", pthread_mutex_trylock(&held) == EBUSY); /* MARK try */
    pthread_mutex_lock(&held); /* MARK blocked */
    counter++;
    pthread_mutex_unlock(&held);
    return NULL;
}

static void *count(void *arg)
{
    (void)arg;
    for (int i = 0; i < rounds; i++) {
        pthread_mutex_lock(&counter_lock); /* MARK count */
        counter++;
        pthread_mutex_unlock(&counter_lock);
    }
    return NULL;
}

static void *leak(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&leaked); /* MARK leak */
    return NULL;
}

int main(void)
{
    pthread_t t;
    struct timespec pause = { 0, 200 * 1000 * 1000 };
    CHECK("lockprofile", sem_init(&started, 0, 0) == 0);
    pthread_mutex_lock(&held); /* MARK main-held */
    CHECK("lockprofile", pthread_create(&t, NULL, blocked, NULL) == 0);
    CHECK("lockprofile", sem_wait(&started) == 0);
    nanosleep(&pause, NULL); /* blocked() reaches its pthread_mutex_lock meanwhile, and waits there */
    pthread_mutex_unlock(&held);
    CHECK("lockprofile", pthread_join(t, NULL) == 0);
    for (int i = 0; i < rounds - ROUNDS + 2; i++) {
        CHECK("lockprofile", pthread_create(&t, NULL, count, NULL) == 0);
        CHECK("lockprofile", pthread_join(t, NULL) == 0);
    }
    pthread_mutex_lock(&counter_lock); /* MARK main-count */
    long total = counter;
    pthread_mutex_unlock(&counter_lock);
    for (int i = 0; i < rounds - ROUNDS + 2; i++) {
        pthread_rwlock_rdlock(&table_lock); /* MARK read */
        pthread_rwlock_unlock(&table_lock);
    }
    pthread_rwlock_wrlock(&table_lock); /* MARK write */
    pthread_rwlock_unlock(&table_lock);
    CHECK("lockprofile", pthread_create(&t, NULL, leak, NULL) == 0);
    CHECK("lockprofile", pthread_join(t, NULL) == 0);
    struct timespec deadline;
    CHECK("lockprofile", clock_gettime(CLOCK_REALTIME, &deadline) == 0);
    deadline.tv_nsec += 1000 * 1000;
    if (deadline.tv_nsec >= 1000 * 1000 * 1000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000 * 1000 * 1000;
    }
    pthread_mutex_lock(&cond_lock); /* MARK cond-lock */
    CHECK("lockprofile", pthread_cond_timedwait(&never, &cond_lock, &deadline) == ETIMEDOUT); /* MARK cond-wait */
    pthread_mutex_unlock(&cond_lock);
    printf("TOKEN lockprofile counter %ld\n", total);
    return 0;
}
