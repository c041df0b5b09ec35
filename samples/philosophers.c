/*
 * Dining philosophers, the textbook way: think for a while, pick up the fork on the left, then
 * the fork on the right, eat for a while, put both down. Fork i is therefore taken before fork
 * i+1 by everybody except the last philosopher, who takes fork N-1 before fork 0: the lock order
 * is inconsistent, and the "holds one, waits for the next" graph has a cycle. If every
 * philosopher holds a left fork at the same moment, nobody can ever eat again. That takes an
 * unlucky schedule (a philosopher who is slow to wake up while a neighbour thinks quickly), so
 * the program normally finishes; a lock-order analysis finds the cycle anyway.
 *
 * Thinking is a short sleep of pseudo-random length (fixed seed per philosopher), eating is a
 * short computation with both forks in hand. Eating is kept much shorter than thinking: a
 * philosopher who slept while holding forks would make the deadlock common, not rare. Every
 * philosopher eats a fixed number of meals, so the output is deterministic.
 *   usage: philosophers [meals-per-philosopher]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define PHILOSOPHERS 5

struct fork {
    pthread_mutex_t lock;
    long uses;
};

struct philosopher {
    int id;
    struct fork *left, *right;
    unsigned long seed;
    long meals;
    unsigned long bites; /* what eating computed: a checksum of all meals */
};

static struct fork forks[PHILOSOPHERS];
static struct philosopher table[PHILOSOPHERS];
static long meals_each = 50;

static long next_random(struct philosopher *p, long below)
{
    p->seed = p->seed * 6364136223846793005ul + 1442695040888963407ul;
    return (long)((p->seed >> 33) % (unsigned long)below);
}

static void pause_for(long microseconds)
{
    struct timespec ts = {microseconds / 1000000, (microseconds % 1000000) * 1000};
    while (nanosleep(&ts, &ts) != 0)
        ; /* interrupted: sleep the rest */
}

static void think(struct philosopher *p)
{
    pause_for(1000 + next_random(p, 4000));
}

static void eat(struct philosopher *p)
{
    long bites = 500 + next_random(p, 1500);
    unsigned long x = p->bites;
    for (long i = 0; i < bites; i++)
        x = (x ^ (x >> 7)) * 0x9e3779b97f4a7c15ul + (unsigned long)i;
    p->bites = x;
    p->left->uses++;
    p->right->uses++;
    p->meals++;
}

static void *dine(void *arg)
{
    struct philosopher *p = arg;
    for (long meal = 0; meal < meals_each; meal++) {
        think(p);
        pthread_mutex_lock(&p->left->lock);
        pthread_mutex_lock(&p->right->lock);
        eat(p);
        pthread_mutex_unlock(&p->right->lock);
        pthread_mutex_unlock(&p->left->lock);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        meals_each = atol(argv[1]);
    for (int i = 0; i < PHILOSOPHERS; i++)
        pthread_mutex_init(&forks[i].lock, NULL);
    pthread_t threads[PHILOSOPHERS];
    for (int i = 0; i < PHILOSOPHERS; i++) {
        table[i] = (struct philosopher){
            .id = i,
            .left = &forks[i],
            .right = &forks[(i + 1) % PHILOSOPHERS],
            .seed = 1000u + (unsigned long)i,
        };
        if (pthread_create(&threads[i], NULL, dine, &table[i]) != 0) {
            perror("pthread_create");
            return 1;
        }
    }
    for (int i = 0; i < PHILOSOPHERS; i++)
        pthread_join(threads[i], NULL);

    long total = 0;
    for (int i = 0; i < PHILOSOPHERS; i++) {
        printf("philosopher %d ate %ld meals (checksum %016lx)\n", i, table[i].meals, table[i].bites);
        total += table[i].meals;
    }
    for (int i = 0; i < PHILOSOPHERS; i++)
        printf("fork %d was used %ld times\n", i, forks[i].uses);
    printf("total meals %ld\n", total);
    return 0;
}
