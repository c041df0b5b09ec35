package org.insight.kvm;

import com.sun.jna.Memory;

/**
 * The signal that kicks a vCPU thread out of KVM_RUN, without ever running a signal handler.
 * <p>
 * Why no handler: a JNA callback installed as a signal handler would run Java code inside a signal
 * frame, at an arbitrary point of the thread (in the middle of a JVM lock, an allocation, a safepoint).
 * The JVM does not allow that and it deadlocks or crashes. We ship no native library for a C no-op
 * handler either. None is needed:
 * <ul>
 * <li>The vCPU thread blocks the signal in its own mask ({@link #blockInCurrentThread()}), so the signal
 * is never delivered to it: it stays pending.</li>
 * <li>KVM_SET_SIGNAL_MASK gives KVM_RUN a mask where the signal is unblocked. A pending (or arriving)
 * kick makes KVM_RUN return EINTR. Since Linux 4.15 (commit 20b7035c66ba, "KVM: Let KVM_SET_SIGNAL_MASK
 * work as advertised") the kernel keeps the thread's own mask in {@code real_blocked} during KVM_RUN, as
 * sigtimedwait does, so the signal is neither short-circuited as ignored nor treated as fatal, and it stays
 * pending after KVM_RUN returns.</li>
 * <li>The vCPU thread then consumes it with sigtimedwait and a zero timeout ({@link #drain()}), as QEMU's
 * kvm_eat_signals does.</li>
 * </ul>
 * The disposition is set to SIG_IGN ({@link #claim()}): a blocked signal is kept even when ignored, but a
 * stray kick that reaches a thread which does not block it (a vCPU thread that has ended and whose tid was
 * reused) is dropped instead of terminating the JVM, which is the default action of a real-time signal.
 */
final class KickSignal {
    private KickSignal() {
    }

    /**
     * SIGRTMIN+6 with glibc's SIGRTMIN of 34. The JVM uses no real-time signal; glibc reserves 32 and 33.
     */
    static final int NUMBER = 40;

    private static boolean claimed;

    /** Sets the process-wide disposition of the kick signal to SIG_IGN, once; refuses if someone else handles it. */
    static synchronized void claim() {
        if (claimed) {
            return;
        }
        try (Memory old = new Memory(Libc.SIGACTION_SIZE); Memory ignore = new Memory(Libc.SIGACTION_SIZE)) {
            if (Libc.sigaction(NUMBER, null, old) != 0) {
                throw new KvmException("sigaction(" + NUMBER + ") query", Libc.errno());
            }
            long handler = old.getLong(0);
            if (handler != Libc.SIG_DFL && handler != Libc.SIG_IGN) {
                throw new KvmException("claiming signal " + NUMBER + " for vCPU kicks",
                        "another component installed a handler for it (0x" + Long.toHexString(handler) + ")");
            }
            ignore.clear();
            ignore.setLong(0, Libc.SIG_IGN);
            if (Libc.sigaction(NUMBER, ignore, null) != 0) {
                throw new KvmException("sigaction(" + NUMBER + ", SIG_IGN)", Libc.errno());
            }
        }
        claimed = true;
    }

    /** The current disposition of the kick signal: SIG_DFL (0), SIG_IGN (1) or a handler address. */
    static long disposition() {
        try (Memory old = new Memory(Libc.SIGACTION_SIZE)) {
            if (Libc.sigaction(NUMBER, null, old) != 0) {
                throw new KvmException("sigaction(" + NUMBER + ") query", Libc.errno());
            }
            return old.getLong(0);
        }
    }

    /**
     * Blocks the kick signal in the calling thread and returns the kernel sigset (8 bytes) KVM_RUN should
     * use: the thread's previous mask without the kick signal, so every other signal behaves in KVM_RUN
     * as it did before.
     */
    static byte[] blockInCurrentThread() {
        try (Memory set = sigset(); Memory old = new Memory(Libc.SIGSET_T_SIZE)) {
            int error = Libc.pthread_sigmask(Libc.SIG_BLOCK, set, old);
            if (error != 0) {
                throw new KvmException("pthread_sigmask(SIG_BLOCK, " + NUMBER + ")", error);
            }
            byte[] mask = old.getByteArray(0, KvmStructs.KERNEL_SIGSET_SIZE);
            mask[(NUMBER - 1) / 8] &= (byte) ~(1 << ((NUMBER - 1) % 8));
            return mask;
        }
    }

    /** Unblocks the kick signal in the calling thread (threads inherit the mask of the thread that starts them). */
    static void unblockInCurrentThread() {
        try (Memory set = sigset()) {
            int error = Libc.pthread_sigmask(Libc.SIG_UNBLOCK, set, null);
            if (error != 0) {
                throw new KvmException("pthread_sigmask(SIG_UNBLOCK, " + NUMBER + ")", error);
            }
        }
    }

    /** Whether the kick signal is blocked in the calling thread. */
    static boolean blockedInCurrentThread() {
        try (Memory current = new Memory(Libc.SIGSET_T_SIZE)) {
            int error = Libc.pthread_sigmask(Libc.SIG_BLOCK, null, current);
            if (error != 0) {
                throw new KvmException("pthread_sigmask(query)", error);
            }
            return (current.getByte((NUMBER - 1) / 8) & 1 << ((NUMBER - 1) % 8)) != 0;
        }
    }

    /**
     * Sends the kick signal to thread {@code tid} of this process. Returns false when that thread no
     * longer exists (ESRCH): a kick for a vCPU thread that has ended has nothing left to interrupt.
     */
    static boolean send(int tid) {
        long r = Libc.syscall(Libc.SYS_TGKILL, Libc.getpid(), tid, NUMBER);
        if (r != 0) {
            int errno = Libc.errno();
            if (errno == Libc.ESRCH) {
                return false;
            }
            throw new KvmException("tgkill(tid " + tid + ", signal " + NUMBER + ")", errno);
        }
        return true;
    }

    /**
     * Consumes every pending kick of the calling thread without waiting; returns how many were pending
     * (real-time signals queue, one per kick).
     */
    static int drain() {
        int consumed = 0;
        try (Memory set = sigset(); Memory zero = new Memory(Libc.TIMESPEC_SIZE)) {
            zero.clear();
            while (true) {
                int r = Libc.sigtimedwait(set, null, zero);
                if (r == NUMBER) {
                    consumed++;
                    continue;
                }
                int errno = Libc.errno();
                if (r < 0 && errno == Libc.EAGAIN) {
                    return consumed;
                }
                if (r < 0 && errno == Libc.EINTR) {
                    continue;
                }
                throw new KvmException("sigtimedwait(" + NUMBER + ")", r < 0 ? errno : 0);
            }
        }
    }

    private static Memory sigset() {
        Memory set = new Memory(Libc.SIGSET_T_SIZE);
        set.clear();
        set.setByte((NUMBER - 1) / 8, (byte) (1 << ((NUMBER - 1) % 8)));
        return set;
    }
}
