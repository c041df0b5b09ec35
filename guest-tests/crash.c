/* A write through a NULL pointer: the run must end like a native one, killed by SIGSEGV
 * (status 139), after the line printed before it. */
#include <stdio.h>

int main(void)
{
    printf("TOKEN crash writing through NULL\n");
    fflush(stdout); /* a signal death does not flush stdio */
    *(volatile int *)0 = 42;
    printf("TOKEN crash survived (wrong)\n");
    return 0;
}
