package org.insight.vmm.machine;

import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

import org.insight.kvm.Cpuid;
import org.insight.kvm.Kvm;
import org.insight.kvm.Regs;

/**
 * Whether this host's KVM answers the guest's {@code cpuid} from the table the VMM sets (KVM_SET_CPUID2). VMX and SVM
 * intercept CPUID; PVM does not at CPL3 (PLATFORM.md), so there the guest reads the real CPU it runs on. Only where it
 * is intercepted can a recording made on another CPU model replay with its recorded table. Asked once per process, and
 * only when a replay needs it, with a throwaway machine whose leaf 0 names the vendor "InSightProbe".
 */
public final class CpuidProbe {
	/** The answer, and what the probe saw. */
	public record Result(boolean intercepted, String seen) {
	}

	static final String VENDOR = "InSightProbe";
	private static Result cached;

	private CpuidProbe() {
	}

	/** The probe's answer, probing on the first call (on the calling thread, which becomes a vCPU thread). */
	public static synchronized Result result() {
		if (cached == null) {
			cached = probe();
		}
		return cached;
	}

	private static Result probe() {
		Cpuid supported = GuestCpuid.ofThisHost().orElseGet(() -> {
			try (Kvm kvm = Kvm.open()) { // throws the KvmException that says why /dev/kvm cannot be used
				return GuestCpuid.of(kvm.supportedCpuid());
			}
		});
		ByteBuffer v = ByteBuffer.wrap(VENDOR.getBytes(StandardCharsets.US_ASCII)).order(ByteOrder.LITTLE_ENDIAN);
		int ebx = v.getInt(0), edx = v.getInt(4), ecx = v.getInt(8); // the vendor string is EBX, EDX, ECX
		Cpuid.Entry leaf0 = supported.find(0, 0).orElse(new Cpuid.Entry(0, 0, 0, 1, 0, 0, 0));
		Cpuid table = supported.with(new Cpuid.Entry(0, 0, leaf0.flags(), leaf0.eax(), ebx, ecx, edx));
		try (GuestMachine m = GuestMachine.create(ProbeRun.memoryBytes(), false, Optional.of(table))) {
			// xor eax,eax; cpuid; mov r8,rbx; mov r9,rcx; mov r10,rdx; int3 (the #BP stub may use RAX and RDX)
			byte[] insns = { 0x31, (byte) 0xc0, 0x0f, (byte) 0xa2, 0x49, (byte) 0x89, (byte) 0xd8, 0x49, (byte) 0x89,
					(byte) 0xc9, 0x49, (byte) 0x89, (byte) 0xd2, (byte) 0xcc };
			ProbeRun.Outcome o = ProbeRun.run(m, true, insns, ExceptionVectors.BP, "a cpuid at CPL3");
			if (!o.reached()) {
				return new Result(false, o.otherwise());
			}
			Regs after = o.regs();
			boolean ours = (int) after.r8 == ebx && (int) after.r9 == ecx && (int) after.r10 == edx;
			return new Result(ours, ours ? "cpuid answered from the VMM's table"
					: "cpuid answered the host CPU's vendor, not the VMM's table");
		}
	}
}
