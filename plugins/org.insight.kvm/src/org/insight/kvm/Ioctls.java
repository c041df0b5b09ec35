package org.insight.kvm;

import com.sun.jna.Pointer;

/**
 * KVM ioctl request numbers, computed as {@code <asm-generic/ioctl.h>} does, and the calls that throw a
 * {@link KvmException} naming the ioctl when they fail. {@code KvmAbiTest} compares every number with the
 * one the C headers give.
 */
final class Ioctls {
    private Ioctls() {
    }

    private static final int NR_SHIFT = 0;
    private static final int TYPE_SHIFT = 8;
    private static final int SIZE_SHIFT = 16;
    private static final int DIR_SHIFT = 30;
    private static final int SIZE_BITS = 14;
    private static final long DIR_NONE = 0;
    private static final long DIR_WRITE = 1;
    private static final long DIR_READ = 2;

    /** The ioctl type of every KVM request ({@code KVMIO}). */
    static final int KVMIO = 0xAE;

    static long ioc(long dir, int type, int nr, int size) {
        if (size < 0 || size >= 1 << SIZE_BITS) {
            throw new IllegalArgumentException("ioctl argument size " + size + " does not fit in " + SIZE_BITS + " bits");
        }
        return dir << DIR_SHIFT | (long) size << SIZE_SHIFT | (long) type << TYPE_SHIFT | (long) nr << NR_SHIFT;
    }

    static long io(int type, int nr) {
        return ioc(DIR_NONE, type, nr, 0);
    }

    /** Userspace reads: the kernel writes the argument. */
    static long ior(int type, int nr, int size) {
        return ioc(DIR_READ, type, nr, size);
    }

    /** Userspace writes: the kernel reads the argument. */
    static long iow(int type, int nr, int size) {
        return ioc(DIR_WRITE, type, nr, size);
    }

    static long iowr(int type, int nr, int size) {
        return ioc(DIR_READ | DIR_WRITE, type, nr, size);
    }

    // on the /dev/kvm fd
    static final long KVM_GET_API_VERSION = io(KVMIO, 0x00);
    static final long KVM_CREATE_VM = io(KVMIO, 0x01);
    static final long KVM_CHECK_EXTENSION = io(KVMIO, 0x03);
    static final long KVM_GET_VCPU_MMAP_SIZE = io(KVMIO, 0x04);
    static final long KVM_GET_SUPPORTED_CPUID = iowr(KVMIO, 0x05, KvmStructs.CPUID2_HEADER_SIZE);
    // on a VM fd
    static final long KVM_CREATE_VCPU = io(KVMIO, 0x41);
    static final long KVM_SET_USER_MEMORY_REGION = iow(KVMIO, 0x46, KvmStructs.USER_MEMORY_REGION_SIZE);
    // on a vCPU fd
    static final long KVM_RUN = io(KVMIO, 0x80);
    static final long KVM_GET_REGS = ior(KVMIO, 0x81, KvmStructs.REGS_SIZE);
    static final long KVM_SET_REGS = iow(KVMIO, 0x82, KvmStructs.REGS_SIZE);
    static final long KVM_GET_SREGS = ior(KVMIO, 0x83, KvmStructs.SREGS_SIZE);
    static final long KVM_SET_SREGS = iow(KVMIO, 0x84, KvmStructs.SREGS_SIZE);
    static final long KVM_GET_MSRS = iowr(KVMIO, 0x88, KvmStructs.MSRS_HEADER_SIZE);
    static final long KVM_SET_MSRS = iow(KVMIO, 0x89, KvmStructs.MSRS_HEADER_SIZE);
    static final long KVM_SET_SIGNAL_MASK = iow(KVMIO, 0x8b, KvmStructs.SIGNAL_MASK_HEADER_SIZE);
    static final long KVM_SET_CPUID2 = iow(KVMIO, 0x90, KvmStructs.CPUID2_HEADER_SIZE);
    static final long KVM_GET_XSAVE = ior(KVMIO, 0xa4, KvmStructs.XSAVE_SIZE);
    static final long KVM_SET_XSAVE = iow(KVMIO, 0xa5, KvmStructs.XSAVE_SIZE);

    /** ioctl with an integer argument; returns its non-negative result or throws naming {@code operation}. */
    static int call(int fd, long request, long arg, String operation) {
        int result = Libc.ioctl(fd, request, arg);
        if (result < 0) {
            throw new KvmException(operation, Libc.errno());
        }
        return result;
    }

    /** ioctl with a pointer argument; returns its non-negative result or throws naming {@code operation}. */
    static int call(int fd, long request, Pointer arg, String operation) {
        int result = Libc.ioctl(fd, request, arg);
        if (result < 0) {
            throw new KvmException(operation, Libc.errno());
        }
        return result;
    }
}
