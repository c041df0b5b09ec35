package org.insight.vmm.machine;

import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

import org.insight.kvm.Cpuid;
import org.insight.kvm.Exit;
import org.insight.kvm.Kvm;
import org.insight.kvm.Regs;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.AddressSpaceConfig;
import org.insight.vmm.memory.MachineLayout;
import org.insight.vmm.memory.Mman;
import org.insight.vmm.memory.Vma;

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
		Cpuid supported;
		try (Kvm kvm = Kvm.open()) {
			supported = GuestCpuid.of(kvm.supportedCpuid());
		}
		ByteBuffer v = ByteBuffer.wrap(VENDOR.getBytes(StandardCharsets.US_ASCII)).order(ByteOrder.LITTLE_ENDIAN);
		int ebx = v.getInt(0), edx = v.getInt(4), ecx = v.getInt(8); // the vendor string is EBX, EDX, ECX
		Cpuid.Entry leaf0 = supported.find(0, 0).orElse(new Cpuid.Entry(0, 0, 0, 1, 0, 0, 0));
		Cpuid table = supported.with(new Cpuid.Entry(0, 0, leaf0.flags(), leaf0.eax(), ebx, ecx, edx));
		long page = MachineLayout.PAGE_SIZE;
		try (GuestMachine m = GuestMachine.create(MachineLayout.FIRST_FREE_FRAME + 16 * page, false,
				Optional.of(table))) {
			AddressSpace space = new AddressSpace(m.memory(), AddressSpaceConfig.defaults().withMemoryCap(8 * page)
					.withPrefaultLimit(0).withKernelAreaUserMapped(true));
			long code = MachineLayout.USER_START;
			space.map(code, code + page, Mman.PROT_READ | Mman.PROT_EXEC, Vma.Kind.ANONYMOUS);
			space.map(code + page, code + 2 * page, Mman.PROT_READ | Mman.PROT_WRITE, Vma.Kind.ANONYMOUS);
			// xor eax,eax; cpuid; mov r8,rbx; mov r9,rcx; mov r10,rdx; int3 (the #BP stub may use RAX and RDX)
			byte[] insns = { 0x31, (byte) 0xc0, 0x0f, (byte) 0xa2, 0x49, (byte) 0x89, (byte) 0xd8, 0x49, (byte) 0x89,
					(byte) 0xc9, 0x49, (byte) 0x89, (byte) 0xd2, (byte) 0xcc };
			space.loadBytes(code, insns, 0, insns.length);
			space.populate(code + page, code + 2 * page);
			m.vcpu().bindToCurrentThread();
			Regs r = m.vcpu().regs();
			r.rip = code;
			r.rsp = code + 2 * page - 64;
			r.rflags = GuestMachine.INITIAL_RFLAGS;
			m.vcpu().setRegs(r);
			int bpPort = MachineLayout.EXCEPTION_PORT_BASE + ExceptionVectors.BP;
			for (int i = 0; i < 8; i++) {
				Exit e = m.vcpu().run();
				if (e instanceof Exit.Io io && io.port() == bpPort) {
					Regs after = m.vcpu().regs();
					boolean ours = (int) after.r8 == ebx && (int) after.r9 == ecx && (int) after.r10 == edx;
					return new Result(ours, ours ? "cpuid answered from the VMM's table"
							: "cpuid answered the host CPU's vendor, not the VMM's table");
				}
				if (!(e instanceof Exit.Interrupted)) {
					return new Result(false, "a cpuid at CPL3 ended in " + e);
				}
			}
			return new Result(false, "a cpuid at CPL3 did not reach the #BP stub");
		}
	}
}
