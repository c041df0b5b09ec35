package org.insight.kvm;

/** Indices of the x86-64 model-specific registers the VMM sets through {@link Vcpu#setMsr(int, long)}. */
public final class Msr {
    private Msr() {
    }

    /** Segment selectors for syscall/sysret. */
    public static final int STAR = 0xC0000081;
    /** Target RIP of a 64-bit syscall. */
    public static final int LSTAR = 0xC0000082;
    /** RFLAGS bits cleared by syscall. */
    public static final int SFMASK = 0xC0000084;
    public static final int FS_BASE = 0xC0000100;
    public static final int GS_BASE = 0xC0000101;
    public static final int KERNEL_GS_BASE = 0xC0000102;
}
