/* POSIX unnamed semaphores (sem_t): a bounded buffer guarded by two counting semaphores, plus
 * sem_trywait on an empty semaphore (EAGAIN) and a sem_timedwait that must time out. */
#include "guest.h"
#include <pthread.h>
#include <semaphore.h>
#include <time.h>

#define SLOTS 4
#define PRODUCERS 2
#define CONSUMERS 2
static long items = 2000; /* per producer; argv[1] overrides (a smaller workload, same checks) */

static sem_t free_slots, used_slots;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static unsigned buf[SLOTS];
static int head, tail;
static unsigned long consumed, sum;

static void *producer(void *arg)
{
    unsigned base = (unsigned)(long)arg * 1000000u;
    for (unsigned i = 1; i <= items; i++) {
        sem_wait(&free_slots);
        pthread_mutex_lock(&m);
        buf[head] = base + i;
        head = (head + 1) % SLOTS;
        pthread_mutex_unlock(&m);
        sem_post(&used_slots);
    }
    return NULL;
}

static void *consumer(void *arg)
{
    (void)arg;
    for (int i = 0; i < PRODUCERS * items / CONSUMERS; i++) {
        sem_wait(&used_slots);
        pthread_mutex_lock(&m);
        unsigned v = buf[tail];
        tail = (tail + 1) % SLOTS;
        consumed++;
        sum += v;
        pthread_mutex_unlock(&m);
        sem_post(&free_slots);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        items = atol(argv[1]);
    }
    CHECK("semaphore", sem_init(&free_slots, 0, SLOTS) == 0);
    CHECK("semaphore", sem_init(&used_slots, 0, 0) == 0);
    pthread_t t[PRODUCERS + CONSUMERS];
    for (long i = 0; i < PRODUCERS; i++)
        CHECK("semaphore", pthread_create(&t[i], NULL, producer, (void *)i) == 0);
    for (long i = 0; i < CONSUMERS; i++)
        CHECK("semaphore", pthread_create(&t[PRODUCERS + i], NULL, consumer, NULL) == 0);
    for (int i = 0; i < PRODUCERS + CONSUMERS; i++)
        pthread_join(t[i], NULL);
    int free_now, used_now;
    sem_getvalue(&free_slots, &free_now);
    sem_getvalue(&used_slots, &used_now);
    printf("TOKEN semaphore consumed %lu sum %lu free %d used %d\n", consumed, sum, free_now, used_now);

    sem_t empty;
    sem_init(&empty, 0, 0);
    int rc = sem_trywait(&empty);
    printf("TOKEN semaphore trywait %d %s\n", rc, errname(rc ? errno : 0));
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 10 * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_nsec -= 1000000000L;
        ts.tv_sec++;
    }
    rc = sem_timedwait(&empty, &ts);
    printf("TOKEN semaphore timedwait %d %s\n", rc, errname(rc ? errno : 0));
    sem_post(&empty);
    rc = sem_trywait(&empty);
    printf("TOKEN semaphore trywait after post %d\n", rc);
    return 0;
}
