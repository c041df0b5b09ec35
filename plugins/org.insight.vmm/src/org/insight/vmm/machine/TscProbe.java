package org.insight.vmm.machine;


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
		try (GuestMachine m = GuestMachine.create(ProbeRun.memoryBytes(), true)) {
			// rdtsc; int3. Not hlt: a hlt at CPL3 is a #GP too, which would answer yes for an rdtsc that ran.
			ProbeRun.Outcome o = ProbeRun.run(m, true, new byte[] { 0x0f, 0x31, (byte) 0xCC }, ExceptionVectors.GP,
					"an rdtsc at CPL3");
			return new Result(o.reached(), o.reached() ? "the #GP stub exited" : o.otherwise());
		}
	}
}
