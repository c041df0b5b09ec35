package org.insight.kvm;

import com.sun.jna.Memory;

/** A KVM virtual machine: its guest physical memory slots and its vCPUs. */
public final class Vm implements AutoCloseable {
    private final int fd;
    private final int vcpuMmapSize;
    private boolean closed;

    Vm(int fd, int vcpuMmapSize) {
        this.fd = fd;
        this.vcpuMmapSize = vcpuMmapSize;
    }

    /**
     * Makes {@code mem} the guest physical range {@code [guestPhys, guestPhys + mem.size())} in memory slot
     * {@code slot} (KVM_SET_USER_MEMORY_REGION). The memory must stay open while the VM uses it.
     */
    public void mapMemory(int slot, long guestPhys, GuestMemory mem) {
        setRegion(slot, guestPhys, mem.size(), mem.hostAddress(), String.format(
                "KVM_SET_USER_MEMORY_REGION(slot %d, guest physical 0x%x, 0x%x bytes)", slot, guestPhys, mem.size()));
    }

    /** Removes memory slot {@code slot} (a region of size 0). */
    public void unmapMemory(int slot) {
        setRegion(slot, 0, 0, 0, "KVM_SET_USER_MEMORY_REGION(slot " + slot + ", delete)");
    }

    private void setRegion(int slot, long guestPhys, long size, long host, String operation) {
        try (Memory region = new Memory(KvmStructs.USER_MEMORY_REGION_SIZE)) {
            region.clear();
            region.setInt(KvmStructs.REGION_SLOT, slot);
            region.setInt(KvmStructs.REGION_FLAGS, 0);
            region.setLong(KvmStructs.REGION_GUEST_PHYS_ADDR, guestPhys);
            region.setLong(KvmStructs.REGION_MEMORY_SIZE, size);
            region.setLong(KvmStructs.REGION_USERSPACE_ADDR, host);
            Ioctls.call(fd, Ioctls.KVM_SET_USER_MEMORY_REGION, region, operation);
        }
    }

    /** Creates vCPU {@code id} (KVM_CREATE_VCPU) and maps its {@code kvm_run}. */
    public Vcpu createVcpu(int id) {
        int vcpuFd = Ioctls.call(fd, Ioctls.KVM_CREATE_VCPU, id, "KVM_CREATE_VCPU(" + id + ")");
        long run = Libc.mmap(0, vcpuMmapSize, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, vcpuFd, 0);
        if (run == Libc.MAP_FAILED) {
            int errno = Libc.errno();
            Libc.close(vcpuFd);
            throw new KvmException("mmap of the kvm_run area of vCPU " + id, errno);
        }
        return new Vcpu(id, vcpuFd, run, vcpuMmapSize);
    }

    /** Closes the VM fd; the kernel frees the VM once its vCPUs are closed too. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (Libc.close(fd) != 0) {
            throw new KvmException("close of the VM fd", Libc.errno());
        }
    }
}
