package org.insight.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Pointer;
import org.junit.jupiter.api.Test;

/**
 * Error reporting and the kvm_run plumbing, without KVM: ioctls on a file that is not a KVM fd fail with
 * ENOTTY, and a vCPU can sit on an anonymous mapping standing in for its kvm_run.
 */
class KvmErrorsTest {

    @Test
    void errnoNamesInMessages() {
        assertEquals("errno 4 (EINTR)", ErrnoNames.describe(4));
        assertEquals("errno 25 (ENOTTY)", ErrnoNames.describe(25));
        assertEquals("errno 41 (unknown errno)", ErrnoNames.describe(41));
        assertEquals("errno 9999 (unknown errno)", ErrnoNames.describe(9999));
        assertEquals("errno -1 (unknown errno)", ErrnoNames.describe(-1));

        KvmException e = new KvmException("KVM_RUN", 4);
        assertEquals("KVM_RUN failed: errno 4 (EINTR)", e.getMessage());
        assertEquals("KVM_RUN", e.operation());
        assertEquals(4, e.errno());
        KvmException d = new KvmException("KVM_SET_MSRS(0xc0000100)", "wrote 0 of 1 MSRs");
        assertEquals("KVM_SET_MSRS(0xc0000100) failed: wrote 0 of 1 MSRs", d.getMessage());
        assertEquals(0, d.errno());
    }

    @Test
    void availabilityNamesTheDevice() {
        String reason = KvmAvailability.missingReason();
        assertEquals(reason == null, KvmAvailability.present());
        if (reason != null) {
            assertTrue(reason.contains("/dev/kvm"), reason);
        }
    }

    @Test
    void openingKvmFailsNamingTheDeviceOrSucceeds() {
        if (KvmAvailability.present()) {
            try (Kvm kvm = Kvm.open()) {
                assertEquals(Kvm.API_VERSION, kvm.apiVersion());
            }
            return;
        }
        KvmException e = assertThrows(KvmException.class, Kvm::open);
        if (java.nio.file.Files.isWritable(java.nio.file.Path.of("/dev/kvm"))) {
            // there, but not KVM (README: /dev/null bound over it to try the no-KVM path): it opens, and is not KVM
            assertEquals("KVM_GET_API_VERSION on /dev/kvm failed: errno 25 (ENOTTY)", e.getMessage());
            return;
        }
        assertEquals("open /dev/kvm", e.operation());
        assertTrue(e.getMessage().startsWith("open /dev/kvm failed: errno "), e.getMessage());
        if (!java.nio.file.Files.exists(java.nio.file.Path.of("/dev/kvm"))) {
            assertEquals(2, e.errno());
            assertEquals("open /dev/kvm failed: errno 2 (ENOENT)", e.getMessage());
        }
    }

    private static int devNull() {
        int fd = Libc.open("/dev/null", Libc.O_RDWR | Libc.O_CLOEXEC);
        assertTrue(fd >= 0, "open /dev/null: " + ErrnoNames.describe(Libc.errno()));
        return fd;
    }

    @Test
    void failedIoctlsNameTheIoctlAndTheErrno() {
        try (Kvm kvm = new Kvm(devNull())) {
            KvmException e = assertThrows(KvmException.class, kvm::apiVersion);
            assertEquals("KVM_GET_API_VERSION failed: errno 25 (ENOTTY)", e.getMessage());
            assertEquals(25, e.errno());
            e = assertThrows(KvmException.class, () -> kvm.checkExtension(Kvm.CAP_SYNC_REGS));
            assertEquals("KVM_CHECK_EXTENSION(74) failed: errno 25 (ENOTTY)", e.getMessage());
            e = assertThrows(KvmException.class, kvm::supportedCpuid);
            assertTrue(e.getMessage().startsWith("KVM_GET_SUPPORTED_CPUID(256 entries) failed: errno 25"), e.getMessage());
            assertThrows(KvmException.class, kvm::createVm);
        }
        try (Vm vm = new Vm(devNull(), 3 * 4096); GuestMemory mem = GuestMemory.allocate(1 << 20)) {
            KvmException e = assertThrows(KvmException.class, () -> vm.mapMemory(0, 0, mem));
            assertEquals("KVM_SET_USER_MEMORY_REGION(slot 0, guest physical 0x0, 0x100000 bytes) failed: errno 25 (ENOTTY)",
                    e.getMessage());
            e = assertThrows(KvmException.class, () -> vm.createVcpu(0));
            assertEquals("KVM_CREATE_VCPU(0) failed: errno 25 (ENOTTY)", e.getMessage());
        }
    }

    @Test
    void closingABadFdThrows() {
        Kvm kvm = new Kvm(1_000_000);
        KvmException e = assertThrows(KvmException.class, kvm::close);
        assertEquals("close /dev/kvm failed: errno 9 (EBADF)", e.getMessage());
        kvm.close();   // the first close counts: no second attempt
    }

    /** A vCPU over /dev/null whose kvm_run is an anonymous mapping: the sync-regs plumbing without KVM. */
    private static Vcpu fakeVcpu(long mappingSize) {
        long run = Libc.mmap(0, mappingSize, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0);
        assertTrue(run != Libc.MAP_FAILED, "mmap: " + ErrnoNames.describe(Libc.errno()));
        return new Vcpu(7, devNull(), run, mappingSize);
    }

    @Test
    void registersGoThroughKvmRunSyncRegs() {
        try (Vcpu vcpu = fakeVcpu(3 * 4096)) {
            Pointer run = vcpu.kvmRun();
            assertEquals(KvmRun.KVM_SYNC_X86_REGS, run.getLong(KvmRun.KVM_VALID_REGS),
                    "KVM must be asked to store the registers in kvm_run at every exit");
            assertEquals(0L, run.getLong(KvmRun.KVM_DIRTY_REGS));

            Regs regs = new Regs();
            regs.rip = 0x401000;
            regs.rsp = 0x7ffffffff000L;
            regs.rflags = 0x202;
            vcpu.setRegs(regs);
            assertEquals(KvmRun.KVM_SYNC_X86_REGS, run.getLong(KvmRun.KVM_DIRTY_REGS), "written registers are dirty");
            assertEquals(0x401000L, run.getLong(KvmRun.SYNC_REGS + 16 * 8));
            assertEquals(regs, vcpu.regs());

            run.setLong(KvmRun.SYNC_REGS, 500500);   // what KVM stores at an exit
            assertEquals(500500L, vcpu.regs().rax);
        }
    }

    @Test
    void vcpuIoctlsFailNamingTheIoctlAndTheVcpu() {
        try (Vcpu vcpu = fakeVcpu(3 * 4096)) {
            assertEquals("KVM_GET_SREGS(vCPU 7) failed: errno 25 (ENOTTY)",
                    assertThrows(KvmException.class, vcpu::sregs).getMessage());
            assertEquals("KVM_GET_MSRS(0xc0000100, vCPU 7) failed: errno 25 (ENOTTY)",
                    assertThrows(KvmException.class, () -> vcpu.msr(Msr.FS_BASE)).getMessage());
            assertEquals("KVM_SET_MSRS(0xc0000100=0x1000, vCPU 7) failed: errno 25 (ENOTTY)",
                    assertThrows(KvmException.class, () -> vcpu.setMsr(Msr.FS_BASE, 0x1000)).getMessage());
            assertEquals("KVM_GET_XSAVE(vCPU 7) failed: errno 25 (ENOTTY)",
                    assertThrows(KvmException.class, vcpu::xsave).getMessage());
            assertThrows(IllegalArgumentException.class, () -> vcpu.setXsave(new byte[100]));
            assertTrue(assertThrows(KvmException.class, () -> vcpu.setCpuid(new Cpuid(java.util.List.of())))
                    .getMessage().startsWith("KVM_SET_CPUID2(0 entries, vCPU 7) failed: errno 25"));
            assertEquals("KVM_SET_SIGNAL_MASK(vCPU 7) failed: errno 25 (ENOTTY)",
                    assertThrows(KvmException.class, vcpu::bindToCurrentThread).getMessage());
        }
    }

    @Test
    void runNeedsTheBoundThreadAndKickBeforeBindingSetsImmediateExit() {
        try (Vcpu vcpu = fakeVcpu(3 * 4096)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, vcpu::run);
            assertTrue(e.getMessage().contains("bindToCurrentThread"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> vcpu.completeIn(new byte[1]));

            Pointer run = vcpu.kvmRun();
            assertEquals(0, run.getByte(KvmRun.IMMEDIATE_EXIT));
            vcpu.kick();   // unbound: nothing to signal, but the next run() must return at once
            assertEquals(1, run.getByte(KvmRun.IMMEDIATE_EXIT));
        }
    }

    @Test
    void kickAfterCloseIsHarmless() {
        Vcpu vcpu = fakeVcpu(3 * 4096);
        vcpu.close();
        vcpu.kick();
        vcpu.close();   // a kick that wrote into the unmapped kvm_run would crash the JVM here
    }
}
