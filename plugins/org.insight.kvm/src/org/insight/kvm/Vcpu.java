package org.insight.kvm;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * A virtual CPU: its fd and its mapped {@code kvm_run}.
 * <p>
 * Threads: {@link #bindToCurrentThread()} makes the calling platform thread the vCPU thread, and
 * {@link #run()} runs only there. {@link #kick()} may be called from any thread at any time. The other
 * methods are for the vCPU thread while it is not inside {@code run()} (or for one set-up thread before
 * the vCPU first runs).
 * <p>
 * The general-purpose registers travel through {@code KVM_CAP_SYNC_REGS}: KVM stores them in
 * {@code kvm_run->s.regs} at every exit, {@link #regs()} reads them from there without an ioctl, and
 * {@link #setRegs(Regs)} writes them there and marks them dirty so the next KVM_RUN loads them.
 */
public final class Vcpu implements AutoCloseable {
    private final int id;
    private final int fd;
    private final long mmapSize;
    private final Pointer kvmRun;
    /** Guards the kvm_run mapping against close() while kick() writes into it from another thread. */
    private final Object kickLock = new Object();

    private volatile Thread boundThread;
    private volatile int boundTid;
    private boolean closed;
    private Exit lastExit;
    /** Whether {@link #run()} sets this thread's host CR4.TSD for the time of KVM_RUN ({@link #trapHostTsc}). */
    private boolean hostTscTrap;

    Vcpu(int id, int fd, long runAddress, long mmapSize) {
        this.id = id;
        this.fd = fd;
        this.mmapSize = mmapSize;
        this.kvmRun = new Pointer(runAddress);
        kvmRun.setLong(KvmRun.KVM_VALID_REGS, KvmRun.KVM_SYNC_X86_REGS);
    }

    public int id() {
        return id;
    }

    /**
     * Makes the calling thread the vCPU thread: blocks the kick signal in its mask and gives KVM_RUN a mask
     * where it is unblocked (KVM_SET_SIGNAL_MASK), so a kick interrupts KVM_RUN and never runs a handler (see
     * {@link KickSignal}). Must be a platform thread: a virtual thread moves between carrier threads.
     */
    public void bindToCurrentThread() {
        Thread current = Thread.currentThread();
        if (current.isVirtual()) {
            throw new IllegalStateException("vCPU " + id + " needs a platform thread; " + current + " is virtual");
        }
        KickSignal.claim();
        byte[] kvmMask = KickSignal.blockInCurrentThread();
        try (Memory m = new Memory(KvmStructs.SIGNAL_MASK_HEADER_SIZE + KvmStructs.KERNEL_SIGSET_SIZE)) {
            m.setInt(KvmStructs.SIGNAL_MASK_LEN, KvmStructs.KERNEL_SIGSET_SIZE);
            m.write(KvmStructs.SIGNAL_MASK_SIGSET, kvmMask, 0, kvmMask.length);
            Ioctls.call(fd, Ioctls.KVM_SET_SIGNAL_MASK, m, "KVM_SET_SIGNAL_MASK(vCPU " + id + ")");
        }
        synchronized (kickLock) {
            boundThread = current;
            boundTid = Libc.gettid();
        }
    }

    /**
     * Enters the guest until it exits (KVM_RUN) and decodes why. A kick, or any signal the thread lets
     * through, gives {@link Exit.Interrupted}. Pending kicks are consumed before returning it; a kick that
     * races with the return can yield one more Interrupted on the next call.
     */
    public Exit run() {
        if (boundThread != Thread.currentThread()) {
            throw new IllegalStateException("vCPU " + id + " runs only on its bound thread ("
                    + (boundThread == null ? "bindToCurrentThread() was not called" : boundThread.getName())
                    + "), not on " + Thread.currentThread().getName());
        }
        int r;
        int errno = 0;
        if (hostTscTrap) {
            // one native call: the thread's own rdtsc (the JVM's clock, through the vDSO) works again before Java runs
            long raw = TscTrappedRun.run(fd);
            r = raw < 0 ? -1 : (int) raw;
            errno = raw < 0 ? (int) -raw : 0;
        } else {
            r = Libc.ioctl(fd, Ioctls.KVM_RUN, 0L);
            errno = r < 0 ? Libc.errno() : 0;
        }
        Exit exit;
        if (r < 0) {
            if (errno != Libc.EINTR && errno != Libc.EAGAIN) {
                throw new KvmException("KVM_RUN", errno);
            }
            exit = new Exit.Interrupted();
        } else {
            exit = KvmRun.decode(kvmRun, mmapSize);
        }
        if (exit instanceof Exit.Interrupted) {
            kvmRun.setByte(KvmRun.IMMEDIATE_EXIT, (byte) 0);
            KickSignal.drain();
        }
        lastExit = exit;
        return exit;
    }

    /**
     * Whether each {@link #run()} makes {@code rdtsc} fault for this host thread while it is inside KVM_RUN
     * ({@code prctl(PR_SET_TSC, PR_TSC_SIGSEGV)} before, {@code PR_TSC_ENABLE} after, in one native call:
     * {@link TscTrappedRun}; two more system calls per entry).
     * Under PVM the guest's CPL3 code runs with the host thread's CR4, so this is what makes a guest {@code rdtsc}
     * fault there, and the fault then reaches the guest's own #GP handler when the guest's CR4.TSD is set
     * (docs/PLATFORM.md). On VMX/SVM the guest's CR4.TSD alone does it and this is not needed.
     */
    public void trapHostTsc(boolean trap) {
        this.hostTscTrap = trap;
    }

    /**
     * Makes a running (or the next) {@link #run()} return {@link Exit.Interrupted} soon. Callable from any
     * thread. Sets {@code kvm_run->immediate_exit}, which KVM checks on entry, and signals the vCPU thread,
     * which interrupts a guest that is already running.
     */
    public void kick() {
        synchronized (kickLock) {
            if (closed) {
                return;
            }
            kvmRun.setByte(KvmRun.IMMEDIATE_EXIT, (byte) 1);
            int tid = boundTid;
            if (tid != 0) {
                // false: the vCPU thread has ended, so nothing is running; immediate_exit still covers a later run()
                KickSignal.send(tid);
            }
        }
    }

    /** The general-purpose registers as of the last exit (or as last set), from {@code kvm_run->s.regs}. */
    public Regs regs() {
        return KvmStructs.readRegs(kvmRun, KvmRun.SYNC_REGS);
    }

    /** Sets the general-purpose registers; KVM loads them on the next {@link #run()}. */
    public void setRegs(Regs regs) {
        KvmStructs.writeRegs(kvmRun, KvmRun.SYNC_REGS, regs);
        kvmRun.setLong(KvmRun.KVM_DIRTY_REGS, kvmRun.getLong(KvmRun.KVM_DIRTY_REGS) | KvmRun.KVM_SYNC_X86_REGS);
    }

    public Sregs sregs() {
        try (Memory m = new Memory(KvmStructs.SREGS_SIZE)) {
            Ioctls.call(fd, Ioctls.KVM_GET_SREGS, m, "KVM_GET_SREGS(vCPU " + id + ")");
            return KvmStructs.readSregs(m);
        }
    }

    public void setSregs(Sregs sregs) {
        try (Memory m = new Memory(KvmStructs.SREGS_SIZE)) {
            KvmStructs.writeSregs(m, sregs);
            Ioctls.call(fd, Ioctls.KVM_SET_SREGS, m, "KVM_SET_SREGS(vCPU " + id + ")");
        }
    }

    /** The FPU/SSE/AVX state in XSAVE format (KVM_GET_XSAVE), 4096 bytes. */
    public byte[] xsave() {
        try (Memory m = new Memory(KvmStructs.XSAVE_SIZE)) {
            m.clear();
            Ioctls.call(fd, Ioctls.KVM_GET_XSAVE, m, "KVM_GET_XSAVE(vCPU " + id + ")");
            return m.getByteArray(0, KvmStructs.XSAVE_SIZE);
        }
    }

    /** Restores state from {@link #xsave()} (KVM_SET_XSAVE); {@code state} is 4096 bytes. */
    public void setXsave(byte[] state) {
        if (state.length != KvmStructs.XSAVE_SIZE) {
            throw new IllegalArgumentException("kvm_xsave is " + KvmStructs.XSAVE_SIZE + " bytes, got " + state.length);
        }
        try (Memory m = new Memory(KvmStructs.XSAVE_SIZE)) {
            m.write(0, state, 0, state.length);
            Ioctls.call(fd, Ioctls.KVM_SET_XSAVE, m, "KVM_SET_XSAVE(vCPU " + id + ")");
        }
    }

    /** Reads one MSR (KVM_GET_MSRS). */
    public long msr(int index) {
        String operation = String.format("KVM_GET_MSRS(0x%x, vCPU %d)", index, id);
        try (Memory m = msrs(index, 0)) {
            int n = Ioctls.call(fd, Ioctls.KVM_GET_MSRS, m, operation);
            if (n != 1) {
                throw new KvmException(operation, "read " + n + " of 1 MSRs (KVM does not know this MSR)");
            }
            return m.getLong(KvmStructs.MSRS_ENTRIES + KvmStructs.MSR_ENTRY_DATA);
        }
    }

    /** Writes one MSR (KVM_SET_MSRS). */
    public void setMsr(int index, long value) {
        String operation = String.format("KVM_SET_MSRS(0x%x=0x%x, vCPU %d)", index, value, id);
        try (Memory m = msrs(index, value)) {
            int n = Ioctls.call(fd, Ioctls.KVM_SET_MSRS, m, operation);
            if (n != 1) {
                throw new KvmException(operation, "wrote " + n + " of 1 MSRs (KVM refused the MSR or the value)");
            }
        }
    }

    /** Sets the CPUID the guest sees (KVM_SET_CPUID2); do it before the first run and before {@link #setSregs}. */
    public void setCpuid(Cpuid cpuid) {
        try (Memory m = new Memory(KvmStructs.cpuid2Size(cpuid.entries().size()))) {
            KvmStructs.writeCpuid(m, cpuid);
            Ioctls.call(fd, Ioctls.KVM_SET_CPUID2, m,
                    "KVM_SET_CPUID2(" + cpuid.entries().size() + " entries, vCPU " + id + ")");
        }
    }

    /**
     * Hands the guest the data of the IN or MMIO read that the last {@link #run()} returned; the guest
     * receives it when the next {@link #run()} completes the instruction.
     */
    public void completeIn(byte[] data) {
        KvmRun.completeIn(kvmRun, lastExit, data);
    }

    /** Unmaps {@code kvm_run} and closes the vCPU fd. Not while {@link #run()} is running. Idempotent. */
    @Override
    public void close() {
        synchronized (kickLock) {
            if (closed) {
                return;
            }
            closed = true;
            boundTid = 0;
            int unmap = Libc.munmap(Pointer.nativeValue(kvmRun), mmapSize);
            int unmapErrno = Libc.errno();
            if (Libc.close(fd) != 0) {
                throw new KvmException("close of the fd of vCPU " + id, Libc.errno());
            }
            if (unmap != 0) {
                throw new KvmException("munmap of the kvm_run area of vCPU " + id, unmapErrno);
            }
        }
    }

    /** The mapped kvm_run, for tests of the plumbing. */
    Pointer kvmRun() {
        return kvmRun;
    }

    private static Memory msrs(int index, long value) {
        Memory m = new Memory(KvmStructs.MSRS_HEADER_SIZE + KvmStructs.MSR_ENTRY_SIZE);
        m.clear();
        m.setInt(KvmStructs.MSRS_NMSRS, 1);
        m.setInt(KvmStructs.MSRS_ENTRIES + KvmStructs.MSR_ENTRY_INDEX, index);
        m.setLong(KvmStructs.MSRS_ENTRIES + KvmStructs.MSR_ENTRY_DATA, value);
        return m;
    }
}
