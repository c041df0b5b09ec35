package org.insight.kvm;

import com.sun.jna.Memory;

/** The KVM subsystem: an open {@code /dev/kvm}. Creates VMs and answers capability questions. */
public final class Kvm implements AutoCloseable {
    /** The only KVM API version there has ever been (KVM_GET_API_VERSION). */
    public static final int API_VERSION = 12;

    public static final int CAP_USER_MEMORY = 3;
    public static final int CAP_EXT_CPUID = 7;
    public static final int CAP_NR_MEMSLOTS = 10;
    public static final int CAP_SET_GUEST_DEBUG = 23;
    public static final int CAP_VCPU_EVENTS = 41;
    public static final int CAP_XSAVE = 55;
    public static final int CAP_SYNC_REGS = 74;
    public static final int CAP_READONLY_MEM = 81;
    public static final int CAP_IMMEDIATE_EXIT = 136;
    public static final int CAP_X86_USER_SPACE_MSR = 188;

    private static final int MAX_CPUID_ENTRIES = 4096;

    private final int fd;
    private boolean closed;

    Kvm(int fd) {
        this.fd = fd;
    }

    /**
     * Opens {@code /dev/kvm} and checks the API version. Throws a {@link KvmException} whose message names
     * {@code /dev/kvm} when it is missing or not accessible.
     */
    public static Kvm open() {
        int fd = Libc.open(KvmAvailability.DEVICE, Libc.O_RDWR | Libc.O_CLOEXEC);
        if (fd < 0) {
            throw new KvmException("open " + KvmAvailability.DEVICE, Libc.errno());
        }
        Kvm kvm = new Kvm(fd);
        try {
            int version;
            try {
                version = kvm.apiVersion();
            } catch (KvmException e) {
                // a file that opens but is not KVM (/dev/null bound over it, a placeholder): name the device
                throw new KvmException("KVM_GET_API_VERSION on " + KvmAvailability.DEVICE, e.errno());
            }
            if (version != API_VERSION) {
                throw new KvmException("KVM_GET_API_VERSION on " + KvmAvailability.DEVICE,
                        "version " + version + ", this binding speaks version " + API_VERSION);
            }
        } catch (RuntimeException e) {
            kvm.closeAfter(e);
            throw e;
        }
        return kvm;
    }

    public int apiVersion() {
        return Ioctls.call(fd, Ioctls.KVM_GET_API_VERSION, 0L, "KVM_GET_API_VERSION");
    }

    /** 0 when the capability is absent; otherwise 1 or a capability-specific value (e.g. SYNC_REGS: the valid bits). */
    public int checkExtension(int cap) {
        return Ioctls.call(fd, Ioctls.KVM_CHECK_EXTENSION, cap, "KVM_CHECK_EXTENSION(" + cap + ")");
    }

    /** Size of the {@code kvm_run} mapping of each vCPU fd. */
    public int vcpuMmapSize() {
        return Ioctls.call(fd, Ioctls.KVM_GET_VCPU_MMAP_SIZE, 0L, "KVM_GET_VCPU_MMAP_SIZE");
    }

    /** The CPUID leaves KVM can give a guest on this host (KVM_GET_SUPPORTED_CPUID). */
    public Cpuid supportedCpuid() {
        for (int capacity = 256; ; capacity *= 2) {
            try (Memory m = new Memory(KvmStructs.cpuid2Size(capacity))) {
                m.clear();
                m.setInt(KvmStructs.CPUID2_NENT, capacity);
                if (Libc.ioctl(fd, Ioctls.KVM_GET_SUPPORTED_CPUID, m) >= 0) {
                    return KvmStructs.readCpuid(m);
                }
                int errno = Libc.errno();
                // E2BIG: the table has more entries than we offered room for
                if (errno != Libc.E2BIG || capacity >= MAX_CPUID_ENTRIES) {
                    throw new KvmException("KVM_GET_SUPPORTED_CPUID(" + capacity + " entries)", errno);
                }
            }
        }
    }

    /** Creates a VM with no memory and no vCPU (KVM_CREATE_VM, default machine type). */
    public Vm createVm() {
        int vmFd = Ioctls.call(fd, Ioctls.KVM_CREATE_VM, 0L, "KVM_CREATE_VM");
        int mmapSize;
        try {
            mmapSize = vcpuMmapSize();
        } catch (RuntimeException e) {
            Libc.close(vmFd);
            throw e;
        }
        return new Vm(vmFd, mmapSize);
    }

    /** Closes {@code /dev/kvm}; VMs created from it stay usable until they are closed themselves. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (Libc.close(fd) != 0) {
            throw new KvmException("close " + KvmAvailability.DEVICE, Libc.errno());
        }
    }

    private void closeAfter(RuntimeException failure) {
        try {
            close();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}
