package org.insight.vmm.machine;

import java.util.Objects;
import java.util.Optional;

import org.insight.vmm.inputs.Preemption;

/**
 * The int3 a replay puts at the next planned preemption's RIP, through the {@link CodeBreakpoints} that own every
 * int3 of ours. A hit whose state is not the landmark's (an earlier iteration of a loop) is stepped over there.
 * <p>
 * Code pages are shared by every thread, so the site is only wanted while the planned thread is on the vCPU; the
 * breakpoints write it once its page is present (the guest faults the page in before it can fetch from it, and the
 * loop arms pending sites before every run).
 */
final class LandmarkTrap {
	private final CodeBreakpoints breakpoints;
	private boolean armed;
	private long address;
	private int tid;

	LandmarkTrap(CodeBreakpoints breakpoints) {
		this.breakpoints = Objects.requireNonNull(breakpoints, "breakpoints");
	}

	/** Whether the landmark's site is wanted now. */
	boolean armed() {
		return armed;
	}

	/** Where the int3 is. */
	long address() {
		return address;
	}

	/**
	 * Before the guest runs thread {@code runningTid}: the landmark's site is wanted if that thread is the planned one,
	 * and not otherwise.
	 */
	void prepare(int runningTid, Optional<Preemption> plan) {
		boolean wanted = plan.isPresent() && plan.get().tid() == runningTid;
		if (armed && (!wanted || plan.get().landmark().rip() != address || tid != runningTid)) {
			disarm();
		}
		if (wanted && !armed) {
			address = plan.get().landmark().rip();
			tid = runningTid;
			armed = true;
			breakpoints.add(address, CodeBreakpoints.Owner.LANDMARK);
		}
	}

	/** Whether a #BP whose frame RIP is {@code frameRip} (after the int3) is at the landmark, hit by thread {@code byTid}. */
	boolean isHit(long frameRip, int byTid) {
		return armed && frameRip - 1 == address && byTid == tid && breakpoints.isHit(frameRip);
	}

	/** The landmark's site is no longer wanted. */
	void disarm() {
		if (armed) {
			breakpoints.remove(address, CodeBreakpoints.Owner.LANDMARK);
		}
		armed = false;
	}
}
