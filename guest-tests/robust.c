/* Robust mutexes: a thread that exits holding one leaves it FUTEX_OWNER_DIED (glibc leaves that to the kernel's
 * walk of the robust list at thread exit; musl walks it itself). The next lock gets EOWNERDEAD; after
 * pthread_mutex_consistent the mutex works again; unlocked without it, it is ENOTRECOVERABLE for good. Then fork,
 * which the VM answers with ENOSYS: both outcomes print the same line. */
#include "guest.h"
#include <pthread.h>
#include <semaphore.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t a, b;
static sem_t locked;

static const char *name(int r)
{
    return r == EOWNERDEAD ? "EOWNERDEAD" : r == ENOTRECOVERABLE ? "ENOTRECOVERABLE" : errname(r);
}

static void *die_holding(void *m)
{
    pthread_mutex_lock(m);
    sem_post(&locked);
    usleep(20000); /* let main block on the mutex: its wake comes from the robust-list walk */
    return NULL;
}

static void orphan(pthread_mutex_t *m)
{
    pthread_t t;
    CHECK("robust", pthread_create(&t, NULL, die_holding, m) == 0);
    sem_wait(&locked);
    printf("lock after its owner died: %s\n", name(pthread_mutex_lock(m)));
    CHECK("robust", pthread_join(t, NULL) == 0);
}

int main(void)
{
    pthread_mutexattr_t at;
    pthread_mutexattr_init(&at);
    pthread_mutexattr_setrobust(&at, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&a, &at);
    pthread_mutex_init(&b, &at);
    sem_init(&locked, 0, 0);

    orphan(&a);
    printf("consistent: %s\n", name(pthread_mutex_consistent(&a)));
    printf("unlock: %s\n", name(pthread_mutex_unlock(&a)));
    printf("lock again: %s\n", name(pthread_mutex_lock(&a)));
    printf("unlock: %s\n", name(pthread_mutex_unlock(&a)));

    orphan(&b);
    printf("unlock without consistent: %s\n", name(pthread_mutex_unlock(&b)));
    printf("lock: %s\n", name(pthread_mutex_lock(&b)));

    fflush(stdout);
    pid_t pid = fork(); /* natively a child that exits at once; in the VM ENOSYS */
    if (pid == 0)
        _exit(0);
    if (pid > 0)
        waitpid(pid, NULL, 0);
    else
        CHECK("robust", errno == ENOSYS);
    printf("fork done\n");
    /* no child is left (natively it was reaped; in the VM there never was one) */
    printf("wait: %s\n", wait(NULL) == -1 ? errname(errno) : "a child");
    siginfo_t si;
    printf("waitid: %s\n", waitid(P_ALL, 0, &si, WEXITED) == -1 ? errname(errno) : "a child");
    printf("waitid without an event: %s\n", waitid(P_ALL, 0, &si, 0) == -1 ? errname(errno) : "a child");
    return 0;
}
