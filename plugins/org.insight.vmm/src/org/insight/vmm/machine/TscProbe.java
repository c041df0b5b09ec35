package org.insight.vmm.machine;

import org.insight.kvm.Exit;
import org.insight.kvm.Regs;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.AddressSpaceConfig;
import org.insight.vmm.memory.MachineLayout;
import org.insight.vmm.memory.Mman;
import org.insight.vmm.memory.Vma;

/**
 * Whether this host's KVM delivers the #GP of an {@code rdtsc} at CPL3 with CR4.TSD set through the guest's IDT. On
 * VMX/SVM the CPU raises it in the guest; PVM emulates CPL0 and was never tried. The first machine of a process asks
 * with a throwaway machine that runs one {@code rdtsc}: the #GP stub's exit is the answer. Anything else leaves TSD
 * off for the runs of this process, said once on stderr: the guest then reads the host's TSC unrecorded, as before
 * issue #13, and a program that uses it replays only by luck.
 */
public final class TscProbe {
	/** The answer, and what the probe saw. */
	public record Result(boolean trapped, String seen) {
	}

	private static Result cached;

	private TscProbe() {
	}

	/** The probe's answer, probing on the first call (on the calling thread, which becomes a vCPU thread). */
	public static synchronized Result result() {
		if (cached == null) {
			cached = probe();
			if (!cached.trapped()) {
				System.err.println("insight: this KVM does not trap rdtsc at CPL3 with CR4.TSD (" + cached.seen()
						+ "); the guest reads the host's TSC unrecorded, and a program that does replays only by luck");
			}
		}
		return cached;
	}

	private static Result probe() {
		long page = MachineLayout.PAGE_SIZE;
		try (GuestMachine m = GuestMachine.create(MachineLayout.FIRST_FREE_FRAME + 16 * page, true)) {
			AddressSpace space = new AddressSpace(m.memory(), AddressSpaceConfig.defaults().withMemoryCap(8 * page)
					.withPrefaultLimit(0).withKernelAreaUserMapped(true));
			long code = MachineLayout.USER_START;
			space.map(code, code + page, Mman.PROT_READ | Mman.PROT_EXEC, Vma.Kind.ANONYMOUS);
			space.map(code + page, code + 2 * page, Mman.PROT_READ | Mman.PROT_WRITE, Vma.Kind.ANONYMOUS);
			// rdtsc; int3. Not hlt: a hlt at CPL3 is a #GP too, which would answer yes for an rdtsc that ran.
			space.loadBytes(code, new byte[] { 0x0f, 0x31, (byte) 0xCC }, 0, 3);
			space.populate(code + page, code + 2 * page);
			m.vcpu().bindToCurrentThread();
			Regs r = m.vcpu().regs();
			r.rip = code;
			r.rsp = code + 2 * page - 64;
			r.rflags = GuestMachine.INITIAL_RFLAGS;
			m.vcpu().setRegs(r);
			int gpPort = MachineLayout.EXCEPTION_PORT_BASE + ExceptionVectors.GP;
			for (int i = 0; i < 8; i++) {
				Exit e = m.vcpu().run();
				if (e instanceof Exit.Io io && io.port() == gpPort) {
					return new Result(true, "the #GP stub exited");
				}
				if (!(e instanceof Exit.Interrupted)) {
					return new Result(false, "an rdtsc at CPL3 ended in " + e);
				}
			}
			return new Result(false, "an rdtsc at CPL3 did not reach the #GP stub");
		}
	}
}
