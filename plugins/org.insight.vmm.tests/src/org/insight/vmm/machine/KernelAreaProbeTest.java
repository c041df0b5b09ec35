package org.insight.vmm.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.insight.testsupport.KvmRequirement;
import org.insight.vmm.memory.AddressSpaceConfig;
import org.junit.jupiter.api.Test;

/**
 * On a KVM that takes guest exceptions through a supervisor-only kernel area (VMX/SVM: bare metal, or the nested KVM
 * of tools/nested-kvm), the probe's int3 reaches the #BP stub and the runs keep the kernel area supervisor-only.
 */
class KernelAreaProbeTest {
	@Test
	void theInt3ReachesTheStubThroughTheSupervisorOnlyKernelArea() throws Exception {
		KvmRequirement.require();
		// on its own platform thread: the probe binds the thread it runs on as a vCPU thread
		KernelAreaProbe.Result[] r = new KernelAreaProbe.Result[1];
		Thread t = Thread.ofPlatform().start(() -> r[0] = KernelAreaProbe.result());
		t.join();
		assertEquals(new KernelAreaProbe.Result(true, "the #BP stub exited"), r[0]);
		assertFalse(KernelAreaProbe.adjust(AddressSpaceConfig.defaults().withKernelAreaUserMapped(false))
				.kernelAreaUserMapped());
	}
}
