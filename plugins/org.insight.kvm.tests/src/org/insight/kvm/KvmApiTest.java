package org.insight.kvm;

import static org.insight.kvm.KvmTestSupport.requireKvm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The KVM system and VM ioctls against the real /dev/kvm. */
class KvmApiTest {

    @Test
    void apiVersionAndTheCapabilitiesTheVmmRelies() {
        requireKvm();
        try (Kvm kvm = Kvm.open()) {
            assertEquals(12, kvm.apiVersion());
            int syncRegs = kvm.checkExtension(Kvm.CAP_SYNC_REGS);
            assertTrue((syncRegs & KvmRun.KVM_SYNC_X86_REGS) != 0,
                    "KVM_CAP_SYNC_REGS must include KVM_SYNC_X86_REGS, got " + syncRegs);
            assertNotEquals(0, kvm.checkExtension(Kvm.CAP_IMMEDIATE_EXIT), "KVM_CAP_IMMEDIATE_EXIT");
            assertNotEquals(0, kvm.checkExtension(Kvm.CAP_XSAVE), "KVM_CAP_XSAVE");
            assertNotEquals(0, kvm.checkExtension(Kvm.CAP_USER_MEMORY), "KVM_CAP_USER_MEMORY");
            assertEquals(0, kvm.checkExtension(-1), "an unknown capability is absent, not an error");
            int mmapSize = kvm.vcpuMmapSize();
            assertTrue(mmapSize >= KvmRun.STRUCT_SIZE && mmapSize % 4096 == 0, "vCPU mmap size " + mmapSize);
        }
    }

    @Test
    void supportedCpuidHasTheBasicLeaves() {
        requireKvm();
        try (Kvm kvm = Kvm.open()) {
            Cpuid cpuid = kvm.supportedCpuid();
            assertTrue(cpuid.entries().size() > 4, "only " + cpuid.entries().size() + " CPUID entries");
            Cpuid.Entry leaf0 = cpuid.find(0, 0).orElseThrow(() -> new AssertionError("no CPUID leaf 0"));
            assertTrue(leaf0.eax() >= 1, "highest basic leaf " + leaf0.eax());
            assertTrue(cpuid.find(1, 0).isPresent(), "no CPUID leaf 1");
            assertTrue(cpuid.find(0x80000001, 0).isPresent(), "no CPUID leaf 0x80000001 (long mode bit)");
        }
    }

    @Test
    void vmMemoryAndVcpuLifecycle() {
        requireKvm();
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm(); GuestMemory mem = GuestMemory.allocate(1 << 20)) {
            vm.mapMemory(0, 0, mem);
            try (Vcpu vcpu = vm.createVcpu(0)) {
                assertEquals(0, vcpu.id());
                KvmException duplicate = assertThrows(KvmException.class, () -> vm.createVcpu(0));
                assertEquals("KVM_CREATE_VCPU(0) failed: errno 17 (EEXIST)", duplicate.getMessage());
                Sregs initial = vcpu.sregs();
                assertEquals(0xf000, initial.cs.selector(), "a new vCPU starts at the reset vector: " + initial.cs);
            }
            vm.unmapMemory(0);
        }
    }
}
