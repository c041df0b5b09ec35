package org.insight.kvm;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The few libc functions the binding needs, through JNA direct mapping (one JNI stub per method, no
 * per-call reflection). A call that fails returns -1 (or an error number, for pthread_sigmask) and leaves
 * errno in {@link #errno()}: JNA captures errno right after every native call, per Java thread.
 * Constants are the x86-64 Linux values; {@code KvmAbiTest} checks each against the C headers.
 */
final class Libc {
    static {
        Native.register(Libc.class, Platform.C_LIBRARY_NAME);
    }

    private Libc() {
    }

    static final int O_RDWR = 2;
    static final int O_CLOEXEC = 0x80000;

    static final int PROT_NONE = 0;
    static final int PROT_READ = 1;
    static final int PROT_WRITE = 2;
    static final int PROT_EXEC = 4;
    static final int MAP_SHARED = 1;
    static final int MAP_PRIVATE = 2;
    static final int MAP_ANONYMOUS = 0x20;
    static final int MAP_NORESERVE = 0x4000;
    static final long MAP_FAILED = -1L;
    static final int MADV_DONTNEED = 4;

    static final int SIG_BLOCK = 0;
    static final int SIG_UNBLOCK = 1;
    static final int SIG_SETMASK = 2;
    static final long SIG_DFL = 0L;
    static final long SIG_IGN = 1L;
    /** glibc's sigset_t (1024 bits); the kernel's own sigset is 8 bytes. */
    static final int SIGSET_T_SIZE = 128;
    static final int SIGINFO_T_SIZE = 128;
    static final int TIMESPEC_SIZE = 16;
    /** glibc's struct sigaction: handler at 0, sa_mask at 8, sa_flags at 136, sa_restorer at 144. */
    static final int SIGACTION_SIZE = 152;

    static final long SYS_GETPID = 39;
    static final long SYS_GETTID = 186;
    static final long SYS_TGKILL = 234;

    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int ESRCH = 3;
    static final int E2BIG = 7;

    static native int open(String path, int flags);

    static native int close(int fd);

    // ioctl is variadic; on x86-64 a variadic integer/pointer argument travels exactly like a fixed one,
    // so one fixed-arity declaration per argument kind is enough.
    static native int ioctl(int fd, long request, long arg);

    static native int ioctl(int fd, long request, Pointer arg);

    static native long mmap(long addr, long length, int prot, int flags, int fd, long offset);

    static native int munmap(long addr, long length);

    static native int madvise(long addr, long length, int advice);

    static native int mprotect(long addr, long length, int prot);

    static native long syscall(long number, long a1, long a2, long a3);

    static native int pthread_sigmask(int how, Pointer set, Pointer oldSet);

    static native int sigtimedwait(Pointer set, Pointer info, Pointer timeout);

    static native int sigaction(int signal, Pointer action, Pointer oldAction);

    static native int sched_getaffinity(int pid, long cpusetsize, byte[] mask);

    static native int sched_setaffinity(int pid, long cpusetsize, byte[] mask);

    static int errno() {
        return Native.getLastError();
    }

    static int gettid() {
        return (int) syscall(SYS_GETTID, 0, 0, 0);
    }

    static int getpid() {
        return (int) syscall(SYS_GETPID, 0, 0, 0);
    }
}
