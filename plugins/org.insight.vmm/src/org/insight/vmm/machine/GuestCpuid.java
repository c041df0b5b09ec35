package org.insight.vmm.machine;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.insight.kvm.Cpuid;
import org.insight.kvm.Kvm;

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
	/**
	 * The feature registers a replay checks: a recorded table may only claim what this host's KVM offers, or the
	 * guest would run instructions the CPU lacks (glibc picks its string functions by these bits). Leaf, subleaf and
	 * register (0 EAX, 1 EBX, 2 ECX, 3 EDX).
	 */
	private static final int[][] FEATURE_REGISTERS = { { 0x1, 0, 2 }, { 0x1, 0, 3 }, { 0x7, 0, 1 }, { 0x7, 0, 2 },
			{ 0x7, 0, 3 }, { 0x7, 1, 0 }, { 0xd, 0, 0 }, { 0xd, 1, 0 }, { 0x8000_0001, 0, 2 }, { 0x8000_0001, 0, 3 } };
	private static final String[] REGISTER = { "EAX", "EBX", "ECX", "EDX" };

	private static Optional<Cpuid> thisHost;

	private GuestCpuid() {
	}

	/**
	 * The table a machine made now on this host gives its guest ({@link #of} of what KVM supports), asked once per
	 * process; empty where /dev/kvm cannot be opened (a recording header then carries none, and its replay uses the
	 * replaying host's table, as traces before issue #13 did).
	 */
	public static synchronized Optional<Cpuid> ofThisHost() {
		if (thisHost == null) {
			try (Kvm kvm = Kvm.open()) {
				thisHost = Optional.of(of(kvm.supportedCpuid()));
			} catch (RuntimeException e) {
				thisHost = Optional.empty();
			}
		}
		return thisHost;
	}

	/**
	 * The recorded table, for a replay on a host whose KVM supports {@code supported}. The guest sees exactly what it
	 * saw when it was recorded, so a replay on another CPU model (or another kernel, whose KVM offers other bits)
	 * runs the same code.
	 *
	 * @throws MachineException naming every feature bit the recording's CPU had and this host's KVM does not offer
	 */
	public static Cpuid forReplay(Cpuid recorded, Cpuid supported) {
		List<String> missing = missingFeatures(recorded, supported);
		if (!missing.isEmpty()) {
			throw new MachineException("the recording's CPU has features this host's KVM does not offer ("
					+ String.join(", ", missing) + "); the guest chose its code by them, so it cannot replay here");
		}
		return recorded;
	}

	/** "CPUID.(EAX=7,ECX=0):EBX[5]" for each feature bit set in {@code recorded} and clear in {@code supported}. */
	static List<String> missingFeatures(Cpuid recorded, Cpuid supported) {
		List<String> missing = new ArrayList<>();
		for (int[] f : FEATURE_REGISTERS) {
			int want = recorded.find(f[0], f[1]).map(e -> register(e, f[2])).orElse(0);
			int have = supported.find(f[0], f[1]).map(e -> register(e, f[2])).orElse(0);
			int lacking = want & ~have;
			for (int bit = 0; bit < 32; bit++) {
				if ((lacking & 1 << bit) != 0) {
					missing.add(String.format("CPUID.(EAX=%#x,ECX=%d):%s[%d]", f[0], f[1], REGISTER[f[2]], bit));
				}
			}
		}
		return missing;
	}

	private static int register(Cpuid.Entry e, int which) {
		return switch (which) {
		case 0 -> e.eax();
		case 1 -> e.ebx();
		case 2 -> e.ecx();
		default -> e.edx();
		};
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
