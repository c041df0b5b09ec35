/* Signal handlers: SIGUSR1 by raise (SA_SIGINFO: si_signo, si_code SI_TKILL; sa_mask and the signal itself blocked
 * in the handler, unblocked after it), by a raw tgkill whose argument registers (and an SSE register) must come
 * back intact from rt_sigreturn, and by tgkill to a second thread (the handler runs in that thread); a blocked
 * signal in sigpending until unblocked; a handler on an alternate stack (SA_ONSTACK); SA_RESETHAND on SIGWINCH,
 * whose default action then ignores it; sigsuspend ended by a second thread's tgkill; a SIGSEGV handler that siglongjmps out of a NULL write (si_addr 0,
 * SEGV_MAPERR). Every line is the same natively, with glibc and with musl. */
#include "guest.h"
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile sig_atomic_t calls, signo, code, masked_self, masked_extra, handler_tid, on_alt;
static char altstack[1 << 16];
static sigjmp_buf env;
static int *volatile nullp;
static void *volatile fault_addr;
static volatile int fault_code;

static void on_usr(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    calls++;
    signo = si->si_signo == sig ? sig : -1;
    code = si->si_code;
    masked_self = sigismember(&now, sig);
    masked_extra = sigismember(&now, SIGUSR2);
    handler_tid = (sig_atomic_t)syscall(SYS_gettid);
    char here;
    on_alt = &here >= altstack && &here < altstack + sizeof altstack;
}

static void on_winch(int sig)
{
    (void)sig;
    calls++;
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    fault_addr = si->si_addr;
    fault_code = si->si_code;
    siglongjmp(env, 1);
}

static void install(int sig, void (*h)(int, siginfo_t *, void *), int flags, int extra)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = h;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    if (extra) {
        sigaddset(&sa.sa_mask, extra);
    }
    CHECK("signals", sigaction(sig, &sa, NULL) == 0);
}

static int blocked(int sig)
{
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    return sigismember(&now, sig);
}

static volatile pid_t worker_tid;

static void *worker(void *arg)
{
    (void)arg;
    worker_tid = (pid_t)syscall(SYS_gettid);
    while (calls == 0) {
        sched_yield();
    }
    return NULL;
}

static volatile pid_t main_tid;

static void *sender(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++) {
        sched_yield();
    }
    syscall(SYS_tgkill, getpid(), main_tid, SIGUSR1);
    return NULL;
}

int main(void)
{
    install(SIGUSR1, on_usr, 0, SIGUSR2);
    raise(SIGUSR1);
    printf("raise: calls %d signo %s code %s self blocked %d sa_mask blocked %d, after: %d %d\n", (int)calls,
           signo == SIGUSR1 ? "SIGUSR1" : "?", code == SI_TKILL ? "SI_TKILL" : "?", (int)masked_self,
           (int)masked_extra, blocked(SIGUSR1), blocked(SIGUSR2));

    /* rt_sigreturn puts back every register: the handler clobbers RDI, RSI, RDX, R8-R10 and starts with a clean FPU. */
    long pid = getpid(), tid = syscall(SYS_gettid), sig = SIGUSR1, ret;
    register long r8 asm("r8") = 0x0808080808080808L;
    register long r9 asm("r9") = 0x0909090909090909L;
    register long r10 asm("r10") = 0x1010101010101010L;
    double x = 2.75;
    asm volatile("syscall"
                 : "=a"(ret), "+D"(pid), "+S"(tid), "+d"(sig), "+r"(r8), "+r"(r9), "+r"(r10), "+x"(x)
                 : "a"((long)SYS_tgkill)
                 : "rcx", "r11", "memory");
    static volatile long after[6];
    after[0] = pid, after[1] = tid, after[2] = sig, after[3] = r8, after[4] = r9, after[5] = r10;
    printf("tgkill: ret %ld calls %d registers %s, xmm %s\n", ret, (int)calls,
           after[0] == getpid() && after[1] == syscall(SYS_gettid) && after[2] == SIGUSR1
                   && after[3] == 0x0808080808080808L && after[4] == 0x0909090909090909L
                   && after[5] == 0x1010101010101010L
               ? "intact"
               : "CHANGED",
           x == 2.75 ? "intact" : "CHANGED");

    /* Blocked: pending, not run; unblocked: run before sigprocmask returns. */
    sigset_t set, pending;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGUSR1);
    sigpending(&pending);
    printf("blocked: calls %d pending %d\n", (int)calls, sigismember(&pending, SIGUSR1));
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    sigpending(&pending);
    printf("unblocked: calls %d pending %d\n", (int)calls, sigismember(&pending, SIGUSR1));

    /* To another thread: its handler runs there. */
    calls = 0;
    pthread_t t;
    CHECK("signals", pthread_create(&t, NULL, worker, NULL) == 0);
    while (worker_tid == 0) {
        sched_yield();
    }
    CHECK("signals", syscall(SYS_tgkill, getpid(), worker_tid, SIGUSR1) == 0);
    pthread_join(t, NULL);
    printf("thread: calls %d in the worker %d\n", (int)calls, handler_tid == worker_tid);

    /* SA_ONSTACK. */
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 };
    CHECK("signals", sigaltstack(&ss, NULL) == 0);
    install(SIGUSR1, on_usr, SA_ONSTACK, 0);
    raise(SIGUSR1);
    printf("altstack: calls %d on it %d\n", (int)calls, (int)on_alt);

    /* SA_RESETHAND: the second SIGWINCH meets the default action, which ignores it. */
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_winch;
    sa.sa_flags = SA_RESETHAND;
    CHECK("signals", sigaction(SIGWINCH, &sa, NULL) == 0);
    calls = 0;
    raise(SIGWINCH);
    raise(SIGWINCH);
    sigaction(SIGWINCH, NULL, &old);
    printf("resethand: calls %d now default %d\n", (int)calls, old.sa_handler == SIG_DFL);

    /* rt_sigsuspend, woken by a signal another thread sends (pending already, or sent while main waits). */
    install(SIGUSR1, on_usr, 0, 0);
    sigprocmask(SIG_BLOCK, &set, NULL);
    calls = 0;
    main_tid = (pid_t)syscall(SYS_gettid);
    CHECK("signals", pthread_create(&t, NULL, sender, NULL) == 0);
    sigset_t none;
    sigemptyset(&none);
    int r = sigsuspend(&none);
    int e = errno;
    pthread_join(t, NULL);
    printf("sigsuspend: %d %s calls %d in main %d, blocked after %d\n", r, errname(e), (int)calls,
           handler_tid == main_tid, blocked(SIGUSR1));
    sigprocmask(SIG_UNBLOCK, &set, NULL);

    /* A NULL write, caught. */
    install(SIGSEGV, on_segv, 0, 0);
    if (sigsetjmp(env, 1) == 0) {
        *nullp = 1;
        printf("segv: not raised\n");
    } else {
        printf("segv: caught at %s code %s, blocked after %d\n", fault_addr == NULL ? "NULL" : "?",
               fault_code == SEGV_MAPERR ? "SEGV_MAPERR" : "?", blocked(SIGSEGV));
    }
    printf("done\n");
    return 0;
}
