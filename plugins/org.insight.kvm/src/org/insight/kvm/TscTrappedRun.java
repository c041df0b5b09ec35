package org.insight.kvm;

import com.sun.jna.Function;
import com.sun.jna.Pointer;

/**
 * KVM_RUN with this host thread's {@code rdtsc} made to fault for exactly its duration: {@code prctl(PR_SET_TSC,
 * PR_TSC_SIGSEGV)}, {@code ioctl(KVM_RUN)}, {@code prctl(PR_SET_TSC, PR_TSC_ENABLE)}, in one native call.
 * <p>
 * Why one call, and why code of our own: between two JNA calls the thread is back in Java, where the JVM reads the
 * clock whenever it likes (safepoints, the JIT, GC statistics, its own error reporting), and its clock is the vDSO's,
 * which executes {@code rdtsc} on a TSC clocksource: with TSD set that is a SIGSEGV the JVM cannot survive (seen here,
 * under load). JNA offers no call that spans three system calls, and a JNI library would be a native build per
 * architecture for 67 bytes; so the three calls are these x86-64 instructions, put in an executable page once per
 * process and called through JNA's {@link Function}. They touch no memory but the stack, and return what the raw
 * ioctl returned (-errno on failure).
 * <p>
 * The one window left: a signal that the vCPU thread does not block (the kick is blocked outside KVM_RUN, and KVM_RUN
 * returns EINTR for it rather than running a handler) whose handler runs when KVM_RUN returns, before the second
 * prctl. Only process-directed signals the JVM handles (SIGINT, SIGTERM, SIGQUIT) could land there, and only on this
 * thread by the kernel's choice; the JVM then dies as it would for the signal's default action, or not at all.
 */
final class TscTrappedRun {
    /*
     * push rbx ; push r12 ; mov ebx, edi ; mov r12, rsi
     * mov eax, 157 (prctl) ; mov edi, 26 (PR_SET_TSC) ; mov esi, 2 (PR_TSC_SIGSEGV) ; syscall
     * mov eax, 16 (ioctl) ; mov edi, ebx ; mov rsi, r12 ; xor edx, edx ; syscall ; mov rbx, rax
     * mov eax, 157 ; mov edi, 26 ; mov esi, 1 (PR_TSC_ENABLE) ; syscall
     * mov rax, rbx ; pop r12 ; pop rbx ; ret
     */
    static final byte[] CODE = bytes(
            0x53, 0x41, 0x54, 0x89, 0xfb, 0x49, 0x89, 0xf4,
            0xb8, 0x9d, 0x00, 0x00, 0x00, 0xbf, 0x1a, 0x00, 0x00, 0x00, 0xbe, 0x02, 0x00, 0x00, 0x00, 0x0f, 0x05,
            0xb8, 0x10, 0x00, 0x00, 0x00, 0x89, 0xdf, 0x4c, 0x89, 0xe6, 0x31, 0xd2, 0x0f, 0x05, 0x48, 0x89, 0xc3,
            0xb8, 0x9d, 0x00, 0x00, 0x00, 0xbf, 0x1a, 0x00, 0x00, 0x00, 0xbe, 0x01, 0x00, 0x00, 0x00, 0x0f, 0x05,
            0x48, 0x89, 0xd8, 0x41, 0x5c, 0x5b, 0xc3);

    private static Function function;

    private TscTrappedRun() {
    }

    /** KVM_RUN on {@code vcpuFd} with TSD set around it; the raw result: >= 0, or -errno. */
    static long run(int vcpuFd) {
        return function().invokeLong(new Object[] { vcpuFd, Ioctls.KVM_RUN });
    }

    private static synchronized Function function() {
        if (function == null) {
            long page = Libc.mmap(0, 4096, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS,
                    -1, 0);
            if (page == Libc.MAP_FAILED) {
                throw new KvmException("mmap for the TSD-trapping KVM_RUN", Libc.errno());
            }
            new Pointer(page).write(0, CODE, 0, CODE.length);
            if (Libc.mprotect(page, 4096, Libc.PROT_READ | Libc.PROT_EXEC) != 0) {
                int errno = Libc.errno();
                Libc.munmap(page, 4096);
                throw new KvmException("mprotect for the TSD-trapping KVM_RUN", errno);
            }
            function = Function.getFunction(new Pointer(page));
        }
        return function;
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }
}
