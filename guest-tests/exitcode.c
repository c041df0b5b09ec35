/* exit(7): stdio is flushed by exit(), and the status is the guest's. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    printf("TOKEN exitcode exiting with 7\n");
    exit(7);
}
