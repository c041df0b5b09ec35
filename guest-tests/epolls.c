/* epoll over a pipe and an eventfd: nothing ready (at once and after a timeout), level-triggered reports in the
 * order added, a producer thread waking main in epoll_wait, EPOLLONESHOT and its re-arming with EPOLL_CTL_MOD,
 * EPOLL_CTL_DEL, and the errors of epoll_ctl. */
#define _GNU_SOURCE
#include "guest.h"
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define ROUNDS 100

static int p[2], efd;

static void *producer(void *arg)
{
    (void)arg;
    for (long i = 1; i <= ROUNDS; i++) {
        CHECK("epolls", write(p[1], &i, sizeof i) == sizeof i);
        uint64_t one = 1;
        CHECK("epolls", write(efd, &one, 8) == 8);
    }
    CHECK("epolls", close(p[1]) == 0);
    return NULL;
}

int main(void)
{
    CHECK("epolls", pipe(p) == 0);
    efd = eventfd(0, 0);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    CHECK("epolls", ep >= 0);
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 1 };
    CHECK("epolls", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
    ev.data.u64 = 2;
    CHECK("epolls", epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) == 0);
    errno = 0;
    int r = epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
    printf("TOKEN epolls add twice %d %s\n", r, errname(errno));
    errno = 0;
    r = epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL);
    printf("TOKEN epolls del missing %d %s\n", r, errname(errno));
    struct epoll_event out[4];
    printf("TOKEN epolls none %d\n", epoll_wait(ep, out, 4, 0));
    printf("TOKEN epolls timeout %d\n", epoll_wait(ep, out, 4, 10));

    pthread_t t;
    CHECK("epolls", pthread_create(&t, NULL, producer, NULL) == 0);
    long sum = 0, events = 0, hup = 0;
    uint64_t bumps = 0;
    while (!hup || bumps < ROUNDS) {
        int n = epoll_wait(ep, out, 4, -1);
        CHECK("epolls", n > 0);
        for (int i = 0; i < n; i++) {
            events++;
            if (out[i].data.u64 == 1) {
                long v;
                long got = read(p[0], &v, sizeof v);
                if (got == sizeof v) {
                    sum += v;
                } else {
                    CHECK("epolls", got == 0 && (out[i].events & EPOLLHUP));
                    hup = 1;
                    CHECK("epolls", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL) == 0);
                }
            } else {
                uint64_t c;
                CHECK("epolls", read(efd, &c, 8) == 8);
                bumps += c;
            }
        }
    }
    CHECK("epolls", pthread_join(t, NULL) == 0);
    printf("TOKEN epolls sum %ld bumps %llu hup %ld\n", sum, (unsigned long long)bumps, hup);

    uint64_t one = 1;
    CHECK("epolls", write(efd, &one, 8) == 8);
    ev.events = EPOLLIN | EPOLLONESHOT;
    ev.data.u64 = 3;
    CHECK("epolls", epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev) == 0);
    int first = epoll_wait(ep, out, 4, 0);
    int second = epoll_wait(ep, out, 4, 0);
    CHECK("epolls", epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev) == 0);
    int rearmed = epoll_wait(ep, out, 4, 0);
    printf("TOKEN epolls oneshot %d %d rearmed %d data %llu\n", first, second, rearmed,
           (unsigned long long)out[0].data.u64);
    return 0;
}
