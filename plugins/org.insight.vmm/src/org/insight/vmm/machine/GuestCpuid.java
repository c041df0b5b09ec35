package org.insight.vmm.machine;

import java.util.ArrayList;
import java.util.List;

import org.insight.kvm.Cpuid;

/**
 * The CPUID table the guest's one vCPU is given: what KVM supports on this host, with the fields that name a logical
 * CPU set to those of CPU 0.
 * <p>
 * KVM_GET_SUPPORTED_CPUID fills those fields by running CPUID on whichever host CPU the calling thread happens to be
 * on, so two machines made on the same host see different APIC IDs: measured on nested KVM, leaf 1 EBX was
 * 0x00020800 on host CPU 0 and 0x01020800 on CPU 1, and leaf 0xB EDX 0 and 1. glibc keeps what CPUID answered in
 * {@code _dl_x86_cpu_features}, so a recording and its replay made on different host CPUs ended with different
 * guest memory (one byte, the APIC ID), although the guest did the same. The guest is a one-vCPU machine whose vCPU
 * is number 0: its APIC IDs are 0 wherever the VMM runs.
 * <p>
 * Normalised: leaf 1 EBX[31:24] (initial APIC ID), EDX of every subleaf of 0xB and 0x1F (x2APIC ID), and leaf
 * 0x8000001E EAX (extended APIC ID), EBX[7:0] (compute unit / core ID) and ECX[7:0] (node ID). The counts and
 * every feature bit are left as KVM gave them.
 * <p>
 * This holds where KVM emulates CPUID (VMX, SVM). Where CPUID at CPL3 is not intercepted (PVM, PLATFORM.md) the
 * guest reads the host CPU it runs on, and this table changes nothing.
 */
public final class GuestCpuid {
	private GuestCpuid() {
	}

	/** {@code supported} with the APIC, core and node IDs of logical CPU 0. */
	public static Cpuid of(Cpuid supported) {
		List<Cpuid.Entry> out = new ArrayList<>(supported.entries().size());
		for (Cpuid.Entry e : supported.entries()) {
			out.add(normalised(e));
		}
		return new Cpuid(out);
	}

	static Cpuid.Entry normalised(Cpuid.Entry e) {
		return switch (e.function()) {
		case 0x1 -> new Cpuid.Entry(e.function(), e.index(), e.flags(), e.eax(), e.ebx() & 0x00ff_ffff, e.ecx(),
				e.edx());
		case 0xb, 0x1f -> new Cpuid.Entry(e.function(), e.index(), e.flags(), e.eax(), e.ebx(), e.ecx(), 0);
		case 0x8000_001e -> new Cpuid.Entry(e.function(), e.index(), e.flags(), 0, e.ebx() & ~0xff,
				e.ecx() & ~0xff, e.edx());
		default -> e;
		};
	}
}
