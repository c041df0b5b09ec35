/* A small thread-pool server, the shape of many real C services: a client thread sends requests over a pipe; the main
 * thread poll()s the request pipe and a self-pipe, and queues each request for a pool of worker threads (a mutex and
 * a condition variable); the workers answer over a response pipe. When the client has all its answers it sends the
 * process SIGTERM; the handler only writes a byte to the self-pipe (the async-signal-safe way), the poll loop sees it,
 * stops accepting, and the pool shuts down: the workers drain the queue, are woken and joined.
 *   poolserver [REQUESTS] [WORKERS]      (default 40 requests, 4 workers)
 * Prints the sum of the answers (request n is answered with n*n) and how the server stopped. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_WORKERS 16
#define QUEUE 64

static int requests[2], responses[2], wakeup[2];
static long queue[QUEUE];
static int head, count, stopping;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER, room = PTHREAD_COND_INITIALIZER;
static long served[MAX_WORKERS];

static void on_term(int sig)
{
    char c = (char)sig;
    int saved = errno;
    if (write(wakeup[1], &c, 1) != 1) { /* nothing a handler can do */ }
    errno = saved;
}

static void put(long n)
{
    pthread_mutex_lock(&lock);
    while (count == QUEUE)
        pthread_cond_wait(&room, &lock);
    queue[(head + count++) % QUEUE] = n;
    pthread_cond_signal(&work);
    pthread_mutex_unlock(&lock);
}

static void *worker(void *arg)
{
    long id = (long)arg;
    for (;;) {
        pthread_mutex_lock(&lock);
        while (count == 0 && !stopping)
            pthread_cond_wait(&work, &lock);
        if (count == 0) { /* stopping, and the queue is drained */
            pthread_mutex_unlock(&lock);
            return NULL;
        }
        long n = queue[head];
        head = (head + 1) % QUEUE;
        count--;
        pthread_cond_signal(&room);
        pthread_mutex_unlock(&lock);
        long answer = n * n;
        if (write(responses[1], &answer, sizeof answer) != sizeof answer)
            abort();
        served[id]++;
    }
}

static long total_requests;

static void *client(void *arg)
{
    (void)arg;
    for (long n = 1; n <= total_requests; n++)
        if (write(requests[1], &n, sizeof n) != sizeof n)
            abort();
    long sum = 0, answer;
    for (long i = 0; i < total_requests; i++) {
        if (read(responses[0], &answer, sizeof answer) != sizeof answer)
            abort();
        sum += answer;
    }
    printf("client: %ld answers, sum %ld\n", total_requests, sum);
    kill(getpid(), SIGTERM); /* all answered: ask the server to stop */
    return NULL;
}

int main(int argc, char **argv)
{
    total_requests = argc > 1 ? atol(argv[1]) : 40;
    int workers = argc > 2 ? atoi(argv[2]) : 4;
    if (total_requests < 1 || workers < 1 || workers > MAX_WORKERS)
        return 2;
    if (pipe(requests) || pipe(responses) || pipe(wakeup))
        return 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    if (sigaction(SIGTERM, &sa, NULL))
        return 1;

    pthread_t pool[MAX_WORKERS], cl;
    for (long i = 0; i < workers; i++)
        pthread_create(&pool[i], NULL, worker, (void *)i);
    pthread_create(&cl, NULL, client, NULL);

    long accepted = 0;
    int signo = 0;
    struct pollfd fds[2] = { { .fd = requests[0], .events = POLLIN }, { .fd = wakeup[0], .events = POLLIN } };
    while (!signo) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return 1;
        }
        if (fds[1].revents & POLLIN) {
            char c;
            if (read(wakeup[0], &c, 1) == 1)
                signo = c;
        } else if (fds[0].revents & POLLIN) {
            long n;
            if (read(requests[0], &n, sizeof n) != sizeof n)
                return 1;
            put(n);
            accepted++;
        }
    }
    pthread_mutex_lock(&lock);
    stopping = 1;
    pthread_cond_broadcast(&work);
    pthread_mutex_unlock(&lock);
    long total = 0;
    for (int i = 0; i < workers; i++) {
        pthread_join(pool[i], NULL);
        total += served[i];
    }
    pthread_join(cl, NULL);
    printf("server: accepted %ld, served %ld by %d workers, stopped by %s\n", accepted, total, workers,
           signo == SIGTERM ? "SIGTERM" : "another signal");
    return 0;
}
