/*
 * The exact function profile's accuracy test: a small call tree whose call counts the program
 * knows, counted by itself, for the analysis to match exactly. It has recursion (fib, from two
 * threads at once), a tail call (tail_a jumps to tail_b at -O2), a longjmp out of a recursion
 * (deep, left through jumper's setjmp), and a thread that ends four calls deep (stop_here exits
 * the thread by the exit system call, so its frames never return; main waits for its count on a
 * semaphore, it is never joined).
 *   fib(n) makes 2*fib(n+1)-1 calls: fib(12) 465, fib(10) 177.
 * Prints "calls NAME N" for each of its functions.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))
/* deep and stop_here end by longjmp and by the exit system call, which gcc does not see as ends. */
#pragma GCC diagnostic ignored "-Winfinite-recursion"

/* A store after the calls keeps gcc from turning the recursion into a loop (tail recursion with
   an accumulator), which would make fewer calls than the source says. */
static volatile long sink;
static long n_fib, n_tail_a, n_tail_b, n_deep, n_jumper, n_stop_here, n_worker;
static pthread_mutex_t counting = PTHREAD_MUTEX_INITIALIZER;
static jmp_buf env;
static sem_t counted;

NOINLINE static long fib(int n)
{
    __atomic_fetch_add(&n_fib, 1, __ATOMIC_RELAXED);
    if (n < 2)
        return n;
    long r = fib(n - 1) + fib(n - 2);
    sink = r;
    return r;
}

NOINLINE static long tail_b(long x)
{
    n_tail_b++;
    sink = x;
    return x * 3;
}

NOINLINE static long tail_a(long x)
{
    n_tail_a++;
    return tail_b(x + 1); /* a sibling call: jmp, not call */
}

NOINLINE static void deep(int n)
{
    n_deep++;
    if (n == 0)
        longjmp(env, 1);
    deep(n - 1);
    sink = n;
}

NOINLINE static int jumper(void)
{
    n_jumper++;
    if (setjmp(env) == 0) {
        deep(5);
        return 0;
    }
    return 1;
}

NOINLINE static void stop_here(int depth)
{
    __atomic_fetch_add(&n_stop_here, 1, __ATOMIC_RELAXED);
    if (depth == 0) {
        /* Not pthread_exit: glibc's unwinds the stack through libgcc (some 70,000 calls), and musl's
           pthread_join would wait for a thread that ends this way, so main waits on a semaphore. */
        sem_post(&counted);
        syscall(SYS_exit, 0); /* this thread ends here, its frames open */
    }
    stop_here(depth - 1);
    sink = depth;
}

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&counting);
    n_worker++;
    pthread_mutex_unlock(&counting);
    sink = fib(10);
    stop_here(3);
    return NULL;
}

int main(void)
{
    pthread_t t;
    sem_init(&counted, 0, 0);
    if (pthread_create(&t, NULL, worker, NULL) != 0) {
        perror("pthread_create");
        return 1;
    }
    long f = fib(12);
    long s = 0;
    for (int i = 0; i < 3; i++)
        s += tail_a(i);
    int jumped = jumper();
    while (sem_wait(&counted) != 0)
        continue;
    printf("fib(12) %ld, tail sum %ld, jumped %d\n", f, s, jumped);
    printf("calls fib %ld\n", n_fib);
    printf("calls tail_a %ld\n", n_tail_a);
    printf("calls tail_b %ld\n", n_tail_b);
    printf("calls deep %ld\n", n_deep);
    printf("calls jumper %ld\n", n_jumper);
    printf("calls stop_here %ld\n", n_stop_here);
    printf("calls worker %ld\n", n_worker);
    return 0;
}
