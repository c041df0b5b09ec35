package org.insight.vmm.machine;

import org.insight.vmm.memory.AddressSpaceConfig;

/**
 * Whether this host's KVM delivers a guest exception through a kernel area mapped supervisor-only (issue #12): on
 * VMX/SVM it does; PVM, which emulates CPL0 and was seen to turn some faults on supervisor pages into SHUTDOWN
 * (PLATFORM.md), was never tried. Rather than guess, the first machine of a process asks: a throwaway machine with
 * the supervisor-only mapping runs one {@code int3} at CPL3, and the #BP stub's exit (the IDT, GDT, TSS and kernel
 * stack read and written at CPL0, the stub run) is the answer. Anything else (a SHUTDOWN, an internal error) means
 * the runs of this process map the kernel area as before, user-writable, and say so once on stderr: a hostile
 * guest could then reach CPL0 inside its own VM (never the host). One machine creation and one exit, once per JVM.
 */
public final class KernelAreaProbe {
	/** The answer, and what the probe saw. */
	public record Result(boolean supervisorOnly, String seen) {
	}

	private static Result cached;

	private KernelAreaProbe() {
	}

	/** The probe's answer, probing on the first call (on the calling thread, which becomes a vCPU thread). */
	public static synchronized Result result() {
		if (cached == null) {
			cached = probe();
			if (!cached.supervisorOnly()) {
				System.err.println("insight: this KVM cannot take a guest exception with the kernel area supervisor-only"
						+ " (" + cached.seen() + "); it stays user-mapped, as " + AddressSpaceConfig.USER_MAPPED_ENV
						+ "=user would make it: a hostile guest could reach CPL0 inside its own VM (ARCHITECTURE.md 3a)");
			}
		}
		return cached;
	}

	/** {@code config}, user-mapping the kernel area when this host needs it. */
	public static AddressSpaceConfig adjust(AddressSpaceConfig config) {
		return config.kernelAreaUserMapped() || result().supervisorOnly() ? config
				: config.withKernelAreaUserMapped(true);
	}

	private static Result probe() {
		try (GuestMachine m = GuestMachine.create(ProbeRun.memoryBytes())) {
			ProbeRun.Outcome o = ProbeRun.run(m, false, new byte[] { (byte) 0xCC, (byte) 0xF4 }, ExceptionVectors.BP,
					"an int3 at CPL3"); // int3; hlt
			return new Result(o.reached(), o.reached() ? "the #BP stub exited" : o.otherwise());
		}
	}
}
