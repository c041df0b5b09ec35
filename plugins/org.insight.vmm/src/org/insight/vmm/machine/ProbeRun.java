package org.insight.vmm.machine;

import org.insight.kvm.Exit;
import org.insight.kvm.Regs;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.AddressSpaceConfig;
import org.insight.vmm.memory.MachineLayout;
import org.insight.vmm.memory.Mman;
import org.insight.vmm.memory.Vma;

/**
 * A few instructions run at CPL3 in a throwaway machine, until the exception stub at one port exits: how the probes
 * ({@link TscProbe}, {@link KernelAreaProbe}, {@link CpuidProbe}, and {@link RoundTripProbe}
 * times exits with it) ask this host's KVM what it does.
 */
final class ProbeRun {
	/** What the run ended in: the stub's exit with the registers then, or why not. */
	record Outcome(boolean reached, Regs regs, String otherwise) {
	}

	private ProbeRun() {
	}

	/**
	 * Loads {@code code} at the start of user space (one executable page, then one stack page) with the kernel area
	 * mapped as {@code kernelAreaUserMapped} says, and runs it until the stub of {@code vector} exits (at most 8
	 * entries, interrupted ones included). {@code what} names the code in the answer ("an int3 at CPL3").
	 */
	static Outcome run(GuestMachine m, boolean kernelAreaUserMapped, byte[] code, int vector, String what) {
		start(m, kernelAreaUserMapped, code);
		int port = MachineLayout.EXCEPTION_PORT_BASE + vector;
		for (int i = 0; i < 8; i++) {
			Exit e = m.vcpu().run();
			if (e instanceof Exit.Io io && io.port() == port) {
				return new Outcome(true, m.vcpu().regs(), null);
			}
			if (!(e instanceof Exit.Interrupted)) {
				return new Outcome(false, null, what + " ended in " + e);
			}
		}
		return new Outcome(false, null, what + " did not reach the stub of vector " + vector);
	}

	/**
	 * Loads {@code code} at the start of user space (one executable page, then one stack page), binds the vCPU to the
	 * calling thread and points it at the code; the caller then runs it.
	 */
	static void start(GuestMachine m, boolean kernelAreaUserMapped, byte[] code) {
		long page = MachineLayout.PAGE_SIZE;
		AddressSpace space = new AddressSpace(m.memory(), AddressSpaceConfig.defaults().withMemoryCap(8 * page)
				.withPrefaultLimit(0).withKernelAreaUserMapped(kernelAreaUserMapped));
		long start = MachineLayout.USER_START;
		space.map(start, start + page, Mman.PROT_READ | Mman.PROT_EXEC, Vma.Kind.ANONYMOUS);
		space.map(start + page, start + 2 * page, Mman.PROT_READ | Mman.PROT_WRITE, Vma.Kind.ANONYMOUS);
		space.loadBytes(start, code, 0, code.length);
		space.populate(start + page, start + 2 * page);
		m.vcpu().bindToCurrentThread();
		Regs r = m.vcpu().regs();
		r.rip = start;
		r.rsp = start + 2 * page - 64;
		r.rflags = GuestMachine.INITIAL_RFLAGS;
		m.vcpu().setRegs(r);
	}

	/** The memory a probe's machine needs: the kernel area's frames and a few pages. */
	static long memoryBytes() {
		return MachineLayout.FIRST_FREE_FRAME + 16 * MachineLayout.PAGE_SIZE;
	}
}
