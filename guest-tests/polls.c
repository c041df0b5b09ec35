/* poll and ppoll over two pipes and an eventfd: nothing ready (at once and after a timeout), one pipe ready, an
 * eventfd made ready by another thread while main waits, a ping-pong of round trips between threads that wait only
 * in poll, POLLHUP, POLLNVAL and stdin; select; eventfd's semaphore and non-blocking modes. */
#define _GNU_SOURCE
#include "guest.h"
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 200

static int a[2], b[2], efd;

static void *bumper(void *arg)
{
    (void)arg;
    uint64_t one = 1;
    CHECK("polls", write(efd, &one, 8) == 8);
    return NULL;
}

/* Answers each number that arrives on a with its double on b, waiting only in poll. */
static void *echo(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        struct pollfd p = { .fd = a[0], .events = POLLIN };
        CHECK("polls", poll(&p, 1, -1) == 1 && (p.revents & POLLIN));
        long v;
        CHECK("polls", read(a[0], &v, sizeof v) == sizeof v);
        v *= 2;
        CHECK("polls", write(b[1], &v, sizeof v) == sizeof v);
    }
    return NULL;
}

int main(void)
{
    CHECK("polls", pipe(a) == 0 && pipe(b) == 0);
    efd = eventfd(0, 0);
    CHECK("polls", efd >= 0);
    struct pollfd fds[3] = { { a[0], POLLIN, 0 }, { b[0], POLLIN, 0 }, { efd, POLLIN, 0 } };
    printf("TOKEN polls none %d\n", poll(fds, 3, 0));
    printf("TOKEN polls timeout %d\n", poll(fds, 3, 20));
    struct timespec ts = { 0, 5000000 };
    printf("TOKEN polls ppoll timeout %d\n", ppoll(fds, 3, &ts, NULL));
    CHECK("polls", write(a[1], "x", 1) == 1);
    int n = poll(fds, 3, -1);
    printf("TOKEN polls one %d revents %d %d %d\n", n, fds[0].revents, fds[1].revents, fds[2].revents);
    char c;
    CHECK("polls", read(a[0], &c, 1) == 1);

    pthread_t t;
    CHECK("polls", pthread_create(&t, NULL, bumper, NULL) == 0);
    n = poll(fds, 3, -1);
    printf("TOKEN polls eventfd %d revents %d %d %d\n", n, fds[0].revents, fds[1].revents, fds[2].revents);
    CHECK("polls", pthread_join(t, NULL) == 0);
    uint64_t v;
    CHECK("polls", read(efd, &v, 8) == 8);
    printf("TOKEN polls eventfd count %llu\n", (unsigned long long)v);

    CHECK("polls", pthread_create(&t, NULL, echo, NULL) == 0);
    long sum = 0;
    for (long i = 1; i <= ROUNDS; i++) {
        CHECK("polls", write(a[1], &i, sizeof i) == sizeof i);
        struct pollfd p = { .fd = b[0], .events = POLLIN };
        CHECK("polls", poll(&p, 1, 1000000) == 1);
        long r;
        CHECK("polls", read(b[0], &r, sizeof r) == sizeof r);
        sum += r;
    }
    CHECK("polls", pthread_join(t, NULL) == 0);
    printf("TOKEN polls rounds %d sum %ld\n", ROUNDS, sum);

    CHECK("polls", close(a[1]) == 0);
    int closed = b[1];
    CHECK("polls", close(b[1]) == 0 && close(b[0]) == 0);
    struct pollfd more[3] = { { a[0], POLLIN, 0 }, { closed, POLLIN, 0 }, { 0, POLLIN, 0 } };
    n = poll(more, 3, -1);
    printf("TOKEN polls hup %d revents %d %d stdin %d\n", n, more[0].revents, more[1].revents,
           more[2].revents & POLLIN);

    fd_set rd, wr;
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_SET(a[0], &rd);
    FD_SET(efd, &wr);
    struct timeval tv = { 0, 1000 };
    n = select(efd + 1, &rd, &wr, NULL, &tv);
    printf("TOKEN polls select %d read %d write %d\n", n, FD_ISSET(a[0], &rd) != 0, FD_ISSET(efd, &wr) != 0);
    int c2[2];
    CHECK("polls", pipe(c2) == 0);
    FD_ZERO(&rd);
    FD_SET(c2[0], &rd);
    tv.tv_sec = 0;
    tv.tv_usec = 3000;
    n = select(c2[0] + 1, &rd, NULL, NULL, &tv);
    printf("TOKEN polls select timeout %d read %d\n", n, FD_ISSET(c2[0], &rd) != 0);

    int sem = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
    long reads = 0;
    while (read(sem, &v, 8) == 8) {
        reads++;
    }
    printf("TOKEN polls semaphore reads %ld then %s\n", reads, errname(errno));
    return 0;
}
