package org.insight.vmm.machine;


/**
 * Whether this host's KVM delivers the #GP of an {@code rdtsc} at CPL3 with CR4.TSD set through the guest's IDT, and
 * what it takes. The first machine of a process asks with a throwaway machine that runs one {@code rdtsc}, twice at
 * most: with the guest's TSD alone (VMX/SVM raise the #GP in the guest), then with the host thread's TSD set around
 * each KVM_RUN too ({@link org.insight.kvm.Vcpu#trapHostTsc}: PVM, whose guest CPL3 code runs under the host thread's
 * CR4; docs/PLATFORM.md). The #GP stub's exit is the answer. Anything else leaves TSD off for the runs of this process,
 * said once on stderr: the guest then reads the host's TSC unrecorded, and a program that uses it replays only by luck.
 */
public final class TscProbe {
	/** The answer, and what the probe saw. */
	public record Result(boolean trapped, boolean hostTrap, String seen) {
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
		ProbeRun.Outcome guestOnly = run(false);
		if (guestOnly.reached()) {
			return new Result(true, false, "the #GP stub exited");
		}
		// PVM: the guest's CPL3 code runs under the host thread's CR4, whose TSD a prctl sets for the thread
		ProbeRun.Outcome withHost;
		try {
			withHost = run(true);
		} catch (RuntimeException e) {
			// the TSD-trapping entry could not be set up (mmap, mprotect): TSD stays off, as where nothing traps
			withHost = new ProbeRun.Outcome(false, null, "the host-TSD entry failed: " + e.getMessage());
		}
		if (withHost.reached()) {
			return new Result(true, true, "the #GP stub exited with the host thread's TSD set during KVM_RUN ("
					+ guestOnly.otherwise() + " without it)");
		}
		return new Result(false, false, guestOnly.otherwise() + "; with the host thread's TSD set too: "
				+ withHost.otherwise());
	}

	private static ProbeRun.Outcome run(boolean hostTrap) {
		try (GuestMachine m = GuestMachine.create(ProbeRun.memoryBytes(), true)) {
			m.vcpu().trapHostTsc(hostTrap);
			// rdtsc; int3. Not hlt: a hlt at CPL3 is a #GP too, which would answer yes for an rdtsc that ran.
			return ProbeRun.run(m, true, new byte[] { 0x0f, 0x31, (byte) 0xCC }, ExceptionVectors.GP,
					"an rdtsc at CPL3");
		}
	}
}
