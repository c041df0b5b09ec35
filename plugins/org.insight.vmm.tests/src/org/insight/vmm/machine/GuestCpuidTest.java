package org.insight.vmm.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.insight.kvm.Cpuid;
import org.insight.testsupport.KvmRequirement;
import org.junit.jupiter.api.Test;

/**
 * The guest's CPUID must not depend on the host CPU the machine was made on: KVM_GET_SUPPORTED_CPUID answered these
 * leaves differently on host CPUs 0 and 1 of the same (nested KVM) machine, and glibc keeps leaf 1 in memory.
 */
class GuestCpuidTest {
	private static final int F = Cpuid.FLAG_SIGNIFICANT_INDEX;

	private static Cpuid measuredOn(int hostCpu) {
		return new Cpuid(List.of(new Cpuid.Entry(0x0, 0, 0, 0x10, 0x68747541, 0x444d4163, 0x69746e65),
				new Cpuid.Entry(0x1, 0, 0, 0x00060fb1, 0x00020800 | hostCpu << 24, 0x76f83203, 0x0f8bfbfd),
				new Cpuid.Entry(0xb, 0, F, 0x1, 0x2, 0x100, hostCpu),
				new Cpuid.Entry(0xb, 1, F, 0x1, 0x2, 0x201, hostCpu),
				new Cpuid.Entry(0x1f, 0, F, 0x1, 0x2, 0x100, hostCpu),
				new Cpuid.Entry(0x8000_001e, 0, 0, hostCpu, 0x100 | hostCpu, 0x100 | hostCpu, 0)));
	}

	@Test
	void theSameOnEveryHostCpu() {
		assertEquals(GuestCpuid.of(measuredOn(0)), GuestCpuid.of(measuredOn(1)));
		assertEquals(GuestCpuid.of(measuredOn(0)), GuestCpuid.of(measuredOn(37)));
	}

	@Test
	void cpuZeroIsLeftAsItIs() {
		assertEquals(measuredOn(0), GuestCpuid.of(measuredOn(0)));
	}

	@Test
	void onlyTheIdsChange() {
		Cpuid n = GuestCpuid.of(measuredOn(5));
		assertEquals(new Cpuid.Entry(0x1, 0, 0, 0x00060fb1, 0x00020800, 0x76f83203, 0x0f8bfbfd), n.find(1, 0).get());
		assertEquals(new Cpuid.Entry(0xb, 1, F, 0x1, 0x2, 0x201, 0), n.find(0xb, 1).get());
		assertEquals(new Cpuid.Entry(0x8000_001e, 0, 0, 0, 0x100, 0x100, 0), n.find(0x8000_001e, 0).get());
		assertEquals(measuredOn(5).find(0, 0), n.find(0, 0));
		assertEquals(measuredOn(5).entries().size(), n.entries().size());
	}

	/** On a real KVM: the machine's vCPU is given CPU 0's IDs, whichever host CPU this thread is on. */
	@Test
	void theMachineGetsCpuZerosIds() {
		KvmRequirement.require();
		try (GuestMachine m = GuestMachine.create(16L << 20)) {
			Cpuid c = m.cpuid();
			assertEquals(0, c.find(1, 0).orElseThrow().ebx() >>> 24, "leaf 1 EBX[31:24], the initial APIC ID");
			for (Cpuid.Entry e : c.entries()) {
				if (e.function() == 0xb || e.function() == 0x1f) {
					assertEquals(0, e.edx(), "x2APIC ID in " + e);
				}
			}
			assertEquals(c, GuestCpuid.of(c));
		}
	}
}
