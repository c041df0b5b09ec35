/* Syscall numbers that do not exist must fail with ENOSYS, and the process goes on. */
#include "guest.h"
#include <sys/syscall.h>
#include <unistd.h>

static void try(long nr)
{
    errno = 0;
    long rc = syscall(nr, 1, 2, 3, 4, 5, 6);
    printf("TOKEN badsyscall %ld -> %ld %s\n", nr, rc, errname(rc < 0 ? errno : 0));
}

int main(void)
{
    try(1000);
    try(-1);
    try(100000);
    try(0x7fffffff);
    /* Not tried: holes inside the table (e.g. 335). Some hosts' kernels give them a meaning. */
    errno = 0;
    long pid = syscall(SYS_getpid);
    printf("TOKEN badsyscall getpid still works %s\n", pid > 0 ? "yes" : "no");
    return 0;
}
