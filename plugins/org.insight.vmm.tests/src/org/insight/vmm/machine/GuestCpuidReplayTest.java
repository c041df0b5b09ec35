package org.insight.vmm.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.insight.kvm.Cpuid;
import org.insight.testsupport.KvmRequirement;
import org.junit.jupiter.api.Test;

/**
 * A replay shows the guest the CPUID table of its recording, unless that table claims a feature the replaying host's
 * KVM does not offer; and KVM answers the guest's cpuid from the table the VMM sets where it intercepts CPUID.
 */
class GuestCpuidReplayTest {
	private static final int F = Cpuid.FLAG_SIGNIFICANT_INDEX;

	private static Cpuid table(int leaf1Ecx, int leaf7Ebx) {
		return new Cpuid(List.of(new Cpuid.Entry(0x0, 0, 0, 0x10, 0x68747541, 0x444d4163, 0x69746e65),
				new Cpuid.Entry(0x1, 0, 0, 0x00a00f11, 0x00020800, leaf1Ecx, 0x178bfbff),
				new Cpuid.Entry(0x7, 0, F, 0, leaf7Ebx, 0, 0)));
	}

	@Test
	void aSubsetOfTheHostsFeaturesReplaysAsRecorded() {
		Cpuid recorded = table(0x7ed8_320b & ~(1 << 28), 0x219c_07ab);
		Cpuid host = table(0x7ed8_320b, 0xf1bf_07ab);
		assertSame(recorded, GuestCpuid.forReplay(recorded, host), "the recorded table, not the host's");
		assertEquals(List.of(), GuestCpuid.missingFeatures(recorded, host));
	}

	@Test
	void everyMissingFeatureBitIsNamed() {
		Cpuid recorded = table(0x7ed8_320b, 0xf1bf_07ab); // AVX (1.ECX[28]), AVX2 (7.EBX[5]) and more
		Cpuid host = table(0x7ed8_320b & ~(1 << 28), 0xf1bf_07ab & ~(1 << 5 | 1 << 16));
		assertEquals(List.of("CPUID.(EAX=0x1,ECX=0):ECX[28]", "CPUID.(EAX=0x7,ECX=0):EBX[5]",
				"CPUID.(EAX=0x7,ECX=0):EBX[16]"), GuestCpuid.missingFeatures(recorded, host));
		MachineException e = assertThrows(MachineException.class, () -> GuestCpuid.forReplay(recorded, host));
		assertTrue(e.getMessage().startsWith("the recording's CPU has features this host's KVM does not offer"
				+ " (CPUID.(EAX=0x1,ECX=0):ECX[28], "), e.getMessage());
		Cpuid noLeaf7 = new Cpuid(List.of(host.entries().get(0), host.entries().get(1)));
		assertEquals(1 + Integer.bitCount(0xf1bf_07ab), GuestCpuid.missingFeatures(recorded, noLeaf7).size(),
				"a leaf the host lacks offers nothing: 1.ECX[28] and every leaf-7 bit");
	}

	/** On a real KVM (nested SVM intercepts CPUID): the probe's guest reads the vendor the VMM set. */
	@Test
	void theProbeSeesTheTableTheVmmSet() {
		KvmRequirement.require();
		CpuidProbe.Result r = CpuidProbe.result();
		assertTrue(r.intercepted(), r.seen());
	}

	/** On a real KVM: a recorded table is given to the vCPU as it is; one claiming a missing feature is refused. */
	@Test
	void aMachineTakesTheRecordedTableOrRefusesIt() {
		KvmRequirement.require();
		Cpuid host = GuestCpuid.ofThisHost().orElseThrow();
		Cpuid.Entry leaf0 = host.find(0, 0).orElseThrow();
		Cpuid lower = host.with(new Cpuid.Entry(0, 0, leaf0.flags(), Math.min(leaf0.eax(), 7), leaf0.ebx(), leaf0.ecx(),
				leaf0.edx()));
		try (GuestMachine m = GuestMachine.create(16L << 20, Optional.of(lower))) {
			assertEquals(lower, m.cpuid());
		}
		Cpuid.Entry leaf1 = host.find(1, 0).orElseThrow();
		int absent = Integer.lowestOneBit(~leaf1.ecx() & 0x7fff_ffff);
		Cpuid more = host.with(new Cpuid.Entry(1, 0, leaf1.flags(), leaf1.eax(), leaf1.ebx(), leaf1.ecx() | absent,
				leaf1.edx()));
		MachineException e = assertThrows(MachineException.class,
				() -> GuestMachine.create(16L << 20, Optional.of(more)).close());
		assertTrue(e.getMessage().contains("ECX[" + Integer.numberOfTrailingZeros(absent) + "]"), e.getMessage());
	}
}
