/* signalfd: the signals of its mask, blocked and pending, are read as struct signalfd_siginfo records instead of
 * delivered: the thread's own first (raise: SI_TKILL), then the process's (kill: SI_USER and our pid, twice for a
 * real-time signal; sigqueue: SI_QUEUE and the value); EAGAIN when none is pending and the descriptor is
 * non-blocking, EINVAL for a read shorter than a record; poll and epoll see it readable while one is pending; a
 * blocking read waits for a signal another thread sends; signalfd on the descriptor changes its mask. Every line is
 * the same natively, with glibc and with musl. */
#include "guest.h"
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

static pthread_t main_thread;
static volatile int stop;

static void *sender(void *arg)
{
    (void)arg;
    while (!stop) {
        pthread_kill(main_thread, SIGUSR1);
        usleep(1000);
    }
    return NULL;
}

static const char *name(unsigned sig)
{
    if (sig == SIGUSR1) return "SIGUSR1";
    if (sig == SIGUSR2) return "SIGUSR2";
    if (sig == (unsigned)SIGRTMIN + 2) return "SIGRTMIN+2";
    return "other";
}

static const char *code(int c)
{
    return c == SI_USER ? "SI_USER" : c == SI_TKILL ? "SI_TKILL" : c == SI_QUEUE ? "SI_QUEUE" : "other";
}

static void drain(int sig)
{
    sigset_t s;
    struct timespec zero = { 0, 0 };
    sigemptyset(&s);
    sigaddset(&s, sig);
    while (sigtimedwait(&s, NULL, &zero) == sig) {
    }
}

int main(void)
{
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    sigaddset(&mask, SIGRTMIN + 2);
    CHECK("block", sigprocmask(SIG_BLOCK, &mask, NULL) == 0);
    int fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    CHECK("signalfd", fd >= 0);
    struct signalfd_siginfo ssi[4];
    ssize_t n = read(fd, ssi, sizeof ssi);
    printf("nothing pending: %zd %s\n", n, errname(errno));

    raise(SIGUSR1);
    kill(getpid(), SIGRTMIN + 2);
    kill(getpid(), SIGRTMIN + 2);
    struct pollfd p = { fd, POLLIN, 0 };
    int ready = poll(&p, 1, 0);
    printf("poll: %d, POLLIN %d\n", ready, (p.revents & POLLIN) != 0);
    n = read(fd, ssi, sizeof ssi);
    printf("read %zd bytes: %zd records\n", n, n / (ssize_t)sizeof ssi[0]);
    for (int i = 0; i < n / (ssize_t)sizeof ssi[0]; i++) {
        printf("  %s %s, pid ours %d\n", name(ssi[i].ssi_signo), code(ssi[i].ssi_code),
               ssi[i].ssi_pid == (unsigned)getpid());
    }
    union sigval v = { .sival_int = 55 };
    CHECK("sigqueue", sigqueue(getpid(), SIGRTMIN + 2, v) == 0);
    n = read(fd, ssi, sizeof ssi[0] - 1);
    printf("a short read: %zd %s\n", n, errname(errno));
    n = read(fd, ssi, sizeof ssi);
    printf("sigqueue: %zd records, %s %s, value %d\n", n / (ssize_t)sizeof ssi[0], name(ssi[0].ssi_signo),
           code(ssi[0].ssi_code), ssi[0].ssi_int);

    int ep = epoll_create1(0);
    struct epoll_event e = { .events = EPOLLIN, .data.u64 = 9 }, out;
    CHECK("epoll_ctl", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e) == 0);
    printf("epoll with none pending: %d\n", epoll_wait(ep, &out, 1, 0));
    raise(SIGUSR1);
    int got = epoll_wait(ep, &out, 1, -1);
    printf("epoll with SIGUSR1 pending: %d, data %d\n", got, (int)out.data.u64);
    n = read(fd, ssi, sizeof ssi);
    printf("then read: %zd records, %s\n", n / (ssize_t)sizeof ssi[0], name(ssi[0].ssi_signo));

    int blocking = signalfd(-1, &mask, 0);
    main_thread = pthread_self();
    pthread_t t;
    CHECK("pthread_create", pthread_create(&t, NULL, sender, NULL) == 0);
    n = read(blocking, ssi, sizeof ssi[0]);
    stop = 1;
    pthread_join(t, NULL);
    drain(SIGUSR1);
    printf("a blocking read: %zd bytes, %s %s\n", n, name(ssi[0].ssi_signo), code(ssi[0].ssi_code));

    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    CHECK("block", sigprocmask(SIG_BLOCK, &usr2, NULL) == 0);
    printf("signalfd on the descriptor: %d\n", signalfd(fd, &usr2, 0) == fd);
    raise(SIGUSR1);
    n = read(fd, ssi, sizeof ssi);
    printf("SIGUSR1 outside the new mask: %zd %s\n", n, errname(errno));
    drain(SIGUSR1);
    raise(SIGUSR2);
    n = read(fd, ssi, sizeof ssi);
    printf("SIGUSR2: %zd records, %s\n", n / (ssize_t)sizeof ssi[0], name(ssi[0].ssi_signo));
    printf("TOKEN signalfd ok\n");
    return 0;
}
