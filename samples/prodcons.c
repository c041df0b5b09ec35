/*
 * Producers and consumers around a small bounded buffer, guarded by one mutex and two condition
 * variables ("not full", "not empty"). The buffer is tiny on purpose, so threads block often.
 * Each producer numbers its items; the consumers' count and checksum do not depend on who
 * consumed what.
 *   usage: prodcons [items-per-producer]
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define PRODUCERS 3
#define CONSUMERS 2
#define CAPACITY 4

struct queue {
    pthread_mutex_t lock;
    pthread_cond_t not_full, not_empty;
    uint64_t items[CAPACITY];
    int head, count;
    int producers_left;
};

static struct queue q = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .not_full = PTHREAD_COND_INITIALIZER,
    .not_empty = PTHREAD_COND_INITIALIZER,
    .producers_left = PRODUCERS,
};
static long items_each = 5000;

struct tally {
    long count;
    uint64_t sum, mix; /* mix: a per-item hash summed, still order-independent */
};

static void put(struct queue *qu, uint64_t item)
{
    pthread_mutex_lock(&qu->lock);
    while (qu->count == CAPACITY)
        pthread_cond_wait(&qu->not_full, &qu->lock);
    qu->items[(qu->head + qu->count) % CAPACITY] = item;
    qu->count++;
    pthread_cond_signal(&qu->not_empty);
    pthread_mutex_unlock(&qu->lock);
}

/* Returns 0 when the queue is empty and every producer has finished. */
static int take(struct queue *qu, uint64_t *item)
{
    pthread_mutex_lock(&qu->lock);
    while (qu->count == 0 && qu->producers_left > 0)
        pthread_cond_wait(&qu->not_empty, &qu->lock);
    if (qu->count == 0) {
        pthread_mutex_unlock(&qu->lock);
        return 0;
    }
    *item = qu->items[qu->head];
    qu->head = (qu->head + 1) % CAPACITY;
    qu->count--;
    pthread_cond_signal(&qu->not_full);
    pthread_mutex_unlock(&qu->lock);
    return 1;
}

static void *producer(void *arg)
{
    uint64_t id = (uint64_t)(uintptr_t)arg;
    for (long i = 1; i <= items_each; i++)
        put(&q, (id << 32) | (uint64_t)i);
    pthread_mutex_lock(&q.lock);
    q.producers_left--;
    pthread_cond_broadcast(&q.not_empty); /* consumers waiting on an empty queue may stop now */
    pthread_mutex_unlock(&q.lock);
    return NULL;
}

static void *consumer(void *arg)
{
    struct tally *t = arg;
    uint64_t item;
    while (take(&q, &item)) {
        t->count++;
        t->sum += item & 0xffffffffu;
        t->mix += (item * 0x9e3779b97f4a7c15ull) ^ (item >> 7);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        items_each = atol(argv[1]);
    pthread_t p[PRODUCERS], c[CONSUMERS];
    struct tally tallies[CONSUMERS] = {{0}};
    for (int i = 0; i < CONSUMERS; i++)
        pthread_create(&c[i], NULL, consumer, &tallies[i]);
    for (int i = 0; i < PRODUCERS; i++)
        pthread_create(&p[i], NULL, producer, (void *)(uintptr_t)(i + 1));
    for (int i = 0; i < PRODUCERS; i++)
        pthread_join(p[i], NULL);
    struct tally all = {0};
    for (int i = 0; i < CONSUMERS; i++) {
        pthread_join(c[i], NULL);
        all.count += tallies[i].count;
        all.sum += tallies[i].sum;
        all.mix += tallies[i].mix;
    }
    printf("%d producers, %d consumers, buffer of %d\n", PRODUCERS, CONSUMERS, CAPACITY);
    printf("consumed %ld items (expected %ld)\n", all.count, PRODUCERS * items_each);
    printf("sum %llu checksum %016llx\n", (unsigned long long)all.sum, (unsigned long long)all.mix);
    return all.count == PRODUCERS * items_each ? 0 : 1;
}
