/* Lock-order inversion deep in a call chain, built WITHOUT frame pointers (-fomit-frame-pointer: see the Makefile).
 * `insight analyze` must unwind each acquisition's whole stack from the call frame information (.eh_frame), so the
 * accuracy test finds every frame below at its marked line: the lock call, then middle's, outer's and the thread's
 * calls. Same design as lockorder.c otherwise: a semaphore orders the two threads, so the run always ends. */
#include "guest.h"
#include <pthread.h>
#include <semaphore.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static sem_t first_done;
static volatile long counter;

/* noinline, noclone: each function keeps its own frame and name; the work after each call keeps it from being a
 * tail call, which would leave no frame to find. */
__attribute__((noinline, noclone)) static void inner(pthread_mutex_t *first, pthread_mutex_t *second)
{
    pthread_mutex_lock(first); /* MARK inner-first */
    pthread_mutex_lock(second); /* MARK inner-second */
    counter++;
    pthread_mutex_unlock(second);
    pthread_mutex_unlock(first);
}

__attribute__((noinline, noclone)) static void middle(pthread_mutex_t *first, pthread_mutex_t *second)
{
    inner(first, second); /* MARK middle */
    counter++;
}

__attribute__((noinline, noclone)) static void outer(pthread_mutex_t *first, pthread_mutex_t *second)
{
    middle(first, second); /* MARK outer */
    counter++;
}

static void *take_a_then_b(void *arg)
{
    (void)arg;
    outer(&lock_a, &lock_b); /* MARK thread-ab */
    sem_post(&first_done);
    return NULL;
}

static void *take_b_then_a(void *arg)
{
    (void)arg;
    sem_wait(&first_done);
    outer(&lock_b, &lock_a); /* MARK thread-ba */
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;
    CHECK("lockdeep", sem_init(&first_done, 0, 0) == 0);
    CHECK("lockdeep", pthread_create(&t1, NULL, take_a_then_b, NULL) == 0);
    CHECK("lockdeep", pthread_create(&t2, NULL, take_b_then_a, NULL) == 0);
    CHECK("lockdeep", pthread_join(t1, NULL) == 0);
    CHECK("lockdeep", pthread_join(t2, NULL) == 0);
    printf("TOKEN lockdeep counter %ld\n", counter);
    return 0;
}
