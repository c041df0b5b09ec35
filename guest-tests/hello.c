/* The smallest guest: one line through stdio, exit 0. Also built as a static-PIE (hello-pie) and,
 * for glibc only, dynamically linked (glibc-dynamic/hello). */
#include <stdio.h>

int main(void)
{
    printf("hello, world\n");
    printf("TOKEN hello ok\n");
    return 0;
}
