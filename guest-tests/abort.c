/* abort(): raises SIGABRT on itself (tgkill or kill), so the run ends with status 134. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    printf("TOKEN abort calling abort()\n");
    fflush(stdout);
    abort();
}
