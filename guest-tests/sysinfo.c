/* What a program asks about itself and the system (sysinfo, getrusage, times, prctl's thread name, the scheduling
 * policy): only facts true both natively and in the VM are printed, so the two outputs are the same. */
#include "guest.h"
#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/syscall.h>
#include <sys/times.h>
#include <unistd.h>

static void *named(void *arg)
{
    char name[16] = { 0 };
    CHECK("sysinfo", prctl(PR_SET_NAME, (unsigned long)arg, 0, 0, 0) == 0);
    CHECK("sysinfo", prctl(PR_GET_NAME, (unsigned long)name, 0, 0, 0) == 0);
    printf("thread name: %s\n", name);
    return NULL;
}

int main(void)
{
    struct sysinfo si;
    CHECK("sysinfo", sysinfo(&si) == 0);
    printf("sysinfo: mem_unit %s, totalram %s, freeram <= totalram %s, procs >= 1 %s\n", si.mem_unit > 0 ? "yes" : "no",
           si.totalram > 0 ? "yes" : "no", si.freeram <= si.totalram ? "yes" : "no", si.procs >= 1 ? "yes" : "no");

    struct rusage ru;
    CHECK("sysinfo", getrusage(RUSAGE_SELF, &ru) == 0);
    printf("getrusage: maxrss > 0 %s, utime sane %s\n", ru.ru_maxrss > 0 ? "yes" : "no",
           ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000 ? "yes" : "no");
    CHECK("sysinfo", getrusage(RUSAGE_CHILDREN, &ru) == 0);
    printf("children: utime %ld maxrss %ld\n", (long)ru.ru_utime.tv_sec, ru.ru_maxrss);

    struct tms t;
    clock_t now = times(&t);
    printf("times: elapsed > 0 %s, stime >= 0 %s\n", now > 0 ? "yes" : "no", t.tms_stime >= 0 ? "yes" : "no");

    char name[16] = { 0 };
    CHECK("sysinfo", prctl(PR_GET_NAME, (unsigned long)name, 0, 0, 0) == 0);
    printf("main name: %s\n", name);
    pthread_t th;
    CHECK("sysinfo", pthread_create(&th, NULL, named, "a-very-long-worker-name") == 0);
    CHECK("sysinfo", pthread_join(th, NULL) == 0);

    /* the system calls themselves: musl's sched_getparam and sched_getscheduler answer ENOSYS without asking */
    struct sched_param sp = { .sched_priority = 7 };
    CHECK("sysinfo", syscall(SYS_sched_getparam, 0, &sp) == 0);
    printf("policy %ld, priority %d, FIFO %d..%d, OTHER %d..%d\n", syscall(SYS_sched_getscheduler, 0), sp.sched_priority,
           sched_get_priority_min(SCHED_FIFO), sched_get_priority_max(SCHED_FIFO), sched_get_priority_min(SCHED_OTHER),
           sched_get_priority_max(SCHED_OTHER));
    return 0;
}
