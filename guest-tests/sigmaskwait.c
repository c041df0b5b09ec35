/* Waiting under a temporary signal mask: ppoll, pselect and epoll_pwait, the race-free way to wait for a descriptor
 * or a signal (block the signal, then wait with it unblocked). SIGUSR1 is blocked and raised first, so it is pending
 * when each call starts:
 *  - nothing ready, a mask that lets SIGUSR1 through: the call is EINTR, the handler has run when it returns (even
 *    with SA_RESTART: these calls are never restarted after a handler), and SIGUSR1 is blocked again afterwards;
 *  - a descriptor ready: the call returns it and the handler does not run; SIGUSR1 stays pending and blocked;
 *  - a zero timeout with nothing ready: ppoll and pselect are EINTR, epoll_pwait returns 0 (Linux checks the
 *    signal only before it would sleep);
 *  - a mask that blocks SIGUSR1 too: the call times out and the signal stays pending.
 * Then another thread sends SIGUSR1 to a main thread blocked in each call (repeatedly, until it returns, so that
 * when it comes changes nothing printed), and a raw call with a bad sigset size is EINVAL. Every line is the same
 * natively, with glibc and with musl. */
#include "guest.h"
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t handled, stop_sending;
static int fds[2], ep;
static pthread_t main_thread;

static void on_signal(int sig)
{
    (void)sig;
    handled++;
}

static void install(int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    CHECK("sigaction", sigaction(SIGUSR1, &sa, NULL) == 0);
}

/* Which wait: 0 ppoll, 1 pselect, 2 epoll_pwait; ms < 0 waits without a timeout. */
static const char *const names[] = { "ppoll", "pselect", "epoll_pwait" };

static int wait_on(int which, int ms, const sigset_t *mask)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    if (which == 0) {
        struct pollfd p = { fds[0], POLLIN, 0 };
        return ppoll(&p, 1, ms < 0 ? NULL : &ts, mask);
    }
    if (which == 1) {
        fd_set in;
        FD_ZERO(&in);
        FD_SET(fds[0], &in);
        return pselect(fds[0] + 1, &in, NULL, NULL, ms < 0 ? NULL : &ts, mask);
    }
    struct epoll_event e;
    return epoll_pwait(ep, &e, 1, ms, mask);
}

static int usr1_pending(void)
{
    sigset_t s;
    CHECK("sigpending", sigpending(&s) == 0);
    return sigismember(&s, SIGUSR1);
}

static int usr1_blocked(void)
{
    sigset_t s;
    CHECK("sigprocmask", sigprocmask(SIG_BLOCK, NULL, &s) == 0);
    return sigismember(&s, SIGUSR1);
}

/* Takes a pending SIGUSR1 without its handler. */
static void drain(void)
{
    sigset_t s;
    struct timespec zero = { 0, 0 };
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    while (sigtimedwait(&s, NULL, &zero) == SIGUSR1) {
    }
}

static void report(const char *name, const char *situation, int r, int e, int before)
{
    printf("%s %s: %d %s, handler ran %d, SIGUSR1 pending %d blocked %d\n", name, situation, r,
           r < 0 ? errname(e) : "-", handled - before, usr1_pending(), usr1_blocked());
}

static void *sender(void *arg)
{
    (void)arg;
    while (!stop_sending) {
        pthread_kill(main_thread, SIGUSR1);
        struct timespec ms = { 0, 1000000L };
        nanosleep(&ms, NULL);
    }
    return NULL;
}

int main(void)
{
    sigset_t usr1, open_mask, closed_mask;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    CHECK("block", sigprocmask(SIG_BLOCK, &usr1, NULL) == 0);
    sigprocmask(SIG_BLOCK, NULL, &open_mask);
    sigdelset(&open_mask, SIGUSR1);
    closed_mask = open_mask;
    sigaddset(&closed_mask, SIGUSR1);
    CHECK("pipe", pipe(fds) == 0);
    ep = epoll_create1(0);
    struct epoll_event e = { .events = EPOLLIN, .data.u64 = 7 };
    CHECK("epoll_ctl", epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &e) == 0);
    main_thread = pthread_self();

    for (int which = 0; which < 3; which++) {
        for (int restart = 0; restart < 2; restart++) {
            install(restart ? SA_RESTART : 0);
            int before = handled;
            raise(SIGUSR1);
            int r = wait_on(which, -1, &open_mask);
            report(names[which], restart ? "pending, nothing ready, SA_RESTART" : "pending, nothing ready", r, errno,
                   before);
        }
        install(0);

        int before = handled;
        raise(SIGUSR1);
        CHECK("write", write(fds[1], "x", 1) == 1);
        int r = wait_on(which, -1, &open_mask);
        report(names[which], "pending, pipe ready", r, errno, before);
        char c;
        CHECK("read", read(fds[0], &c, 1) == 1);

        before = handled;
        errno = 0;
        r = wait_on(which, 0, &open_mask);
        report(names[which], "pending, zero timeout", r, errno, before);

        before = handled;
        raise(SIGUSR1);
        r = wait_on(which, 20, &closed_mask);
        report(names[which], "pending, mask blocks it, 20 ms", r, errno, before);
        drain();

        before = handled;
        stop_sending = 0;
        pthread_t t;
        CHECK("pthread_create", pthread_create(&t, NULL, sender, NULL) == 0);
        r = wait_on(which, -1, &open_mask);
        int e2 = errno, ran = handled - before > 0;
        stop_sending = 1;
        pthread_join(t, NULL);
        drain();
        printf("%s sent by another thread while waiting: %d %s, handler ran %s, SIGUSR1 blocked %d\n",
               names[which], r, r < 0 ? errname(e2) : "-", ran ? "yes" : "no", usr1_blocked());
    }

    struct pollfd p = { fds[0], POLLIN, 0 };
    struct timespec zero = { 0, 0 };
    long r = syscall(SYS_ppoll, &p, 1, &zero, &open_mask, 4);
    printf("raw ppoll with sigsetsize 4: %ld %s\n", r, r < 0 ? errname(errno) : "-");
    r = syscall(SYS_epoll_pwait, ep, &e, 1, 0, &open_mask, 16);
    printf("raw epoll_pwait with sigsetsize 16: %ld %s\n", r, r < 0 ? errname(errno) : "-");
    printf("TOKEN sigmaskwait ok\n");
    return 0;
}
