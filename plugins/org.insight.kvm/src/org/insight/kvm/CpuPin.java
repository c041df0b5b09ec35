package org.insight.kvm;

import java.util.Arrays;

/**
 * Pins the calling thread to one host CPU until {@link #close()} gives it back its former CPU set.
 * <p>
 * Why the vCPU thread is pinned: where KVM does not intercept CPUID at CPL3 (PVM, PLATFORM.md), the guest reads the
 * host CPU's own values, and leaf 1 EBX[31:24] and leaf 0xB EDX are that CPU's APIC ID. glibc keeps them in memory
 * (its cpu_features), so a recording and a replay whose vCPU ran on different CPUs would end with different memory.
 * Pinning both to the lowest CPU the process may use makes them read the same CPU on the same host. (Where KVM does
 * intercept CPUID, the VMM gives the guest fixed APIC IDs anyway.) It also keeps the vCPU thread from migrating
 * between cores while the guest runs.
 * <p>
 * The CPU set is the kernel's {@code cpu_set_t} bit mask, read and written with sched_getaffinity and
 * sched_setaffinity for thread id 0 (the calling thread), through JNA like the rest of this binding.
 */
public final class CpuPin implements AutoCloseable {
    /** Bytes of CPU mask: 8192 CPUs, as glibc's largest dynamic set; the kernel reports its own size on error. */
    private static final int MASK_BYTES = 1024;

    private final byte[] previous;
    private final int cpu;
    private final Thread owner = Thread.currentThread();
    private boolean closed;

    private CpuPin(byte[] previous, int cpu) {
        this.previous = previous;
        this.cpu = cpu;
    }

    /** Pins the calling thread to the lowest-numbered CPU of its current set. */
    public static CpuPin lowestAllowed() {
        byte[] mask = new byte[MASK_BYTES];
        if (Libc.sched_getaffinity(0, mask.length, mask) < 0) {
            throw new KvmException("sched_getaffinity", Libc.errno());
        }
        int cpu = lowest(mask);
        if (cpu < 0) {
            throw new KvmException("sched_getaffinity", "the thread may run on no CPU at all");
        }
        byte[] one = new byte[MASK_BYTES];
        one[cpu / 8] = (byte) (1 << (cpu % 8));
        if (Libc.sched_setaffinity(0, one.length, one) < 0) {
            throw new KvmException("sched_setaffinity(CPU " + cpu + ")", Libc.errno());
        }
        return new CpuPin(mask, cpu);
    }

    /** The lowest CPU whose bit is set, or -1. */
    static int lowest(byte[] mask) {
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] != 0) {
                return i * 8 + Integer.numberOfTrailingZeros(mask[i] & 0xff);
            }
        }
        return -1;
    }

    /** The host CPU the thread is pinned to. */
    public int cpu() {
        return cpu;
    }

    /** Gives the thread back the CPU set it had. Only the pinned thread may call this. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("CPU pin of " + owner + " closed by " + Thread.currentThread());
        }
        closed = true;
        if (Libc.sched_setaffinity(0, previous.length, previous) < 0) {
            throw new KvmException("sched_setaffinity(restore)", Libc.errno());
        }
    }

    @Override
    public String toString() {
        return "CpuPin[CPU " + cpu + ", restores " + Arrays.toString(Arrays.copyOf(previous, 2)) + "...]";
    }
}
