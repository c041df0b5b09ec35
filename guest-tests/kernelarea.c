/* Attacks on the VMM's kernel area (issue #12 item 1), one per run, chosen by argv[1]. Each prints a line, then
 * touches the kernel area in a way that would give it CPL0 inside its VM if it worked; the supervisor-only mapping
 * makes each a SIGSEGV (status 139), as natively (nothing is mapped there on Linux), with the line kept.
 * Not in tests.txt: KernelAreaAttackTest runs it (the addresses are MachineLayout's). */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#define GDT 0x10000UL
#define IDT 0x11000UL
#define STUBS 0x18000UL
#define GATE 0x19000UL
#define KERNEL_STACK_TOP 0x200000UL

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";
    printf("TOKEN kernelarea %s\n", what);
    fflush(stdout); /* a signal death does not flush stdio */
    if (strcmp(what, "write-idt") == 0) {
        /* the #PF gate's handler offset, pointed at guest code */
        *(volatile uint64_t *)(IDT + 14 * 16) = (uintptr_t)main;
    } else if (strcmp(what, "write-stub") == 0) {
        *(volatile uint8_t *)(STUBS + 3 * 16) = 0xf4; /* hlt at CPL0 in the #BP stub */
    } else if (strcmp(what, "write-gdt") == 0) {
        *(volatile uint64_t *)(GDT + 0x30) = 0x00af9b000000ffffUL; /* user code made DPL 0 */
    } else if (strcmp(what, "write-stack") == 0) {
        *(volatile uint64_t *)(KERNEL_STACK_TOP - 8) = 0;
    } else if (strcmp(what, "jump-stub") == 0) {
        ((void (*)(void))(STUBS + 3 * 16))();
    } else if (strcmp(what, "read-stack") == 0) {
        printf("TOKEN kernelarea read %lx (wrong)\n", (unsigned long)*(volatile uint64_t *)(KERNEL_STACK_TOP - 8));
    } else if (strcmp(what, "write-gate") == 0) {
        *(volatile uint8_t *)GATE = 0xf4;
    } else {
        printf("TOKEN kernelarea unknown case\n");
        return 2;
    }
    printf("TOKEN kernelarea survived (wrong)\n");
    return 0;
}
