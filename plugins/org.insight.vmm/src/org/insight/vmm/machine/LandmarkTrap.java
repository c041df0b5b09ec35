package org.insight.vmm.machine;

import java.util.Objects;
import java.util.Optional;
import java.util.function.BiPredicate;

import org.insight.vmm.inputs.Landmark;
import org.insight.vmm.inputs.Preemption;

/**
 * What stops a replay at the next planned preemption's RIP: the {@link LandmarkComparator} when it can be installed
 * there, which tests each pass of the instruction at native speed and traps only on a likely match, and otherwise
 * today's int3 through the {@link CodeBreakpoints} that own every int3 of ours, whose every hit whose state is not
 * the landmark's (an earlier iteration of a loop) is stepped over. The int3 is exact everywhere; the comparator only
 * where it is as exact, so a landmark falls back to the int3 whenever the comparator is refused, or a thread would
 * resume inside its patch ({@link #fallBack}), or a site of ours is wanted there.
 * <p>
 * Code pages are shared by every thread, so either is only wanted while the planned thread is on the vCPU; the
 * breakpoints write the int3 once its page is present (the guest faults the page in before it can fetch from it, and
 * the loop arms pending sites before every run), and the comparator is installed then too.
 */
final class LandmarkTrap {
	private enum Mode {
		INT3, COMPARATOR, PENDING
	}

	private final CodeBreakpoints breakpoints;
	private final LandmarkComparator comparator;
	private final RunStats stats;
	private boolean armed;
	private Mode mode;
	private long address;
	private int tid;
	private Landmark landmark;

	LandmarkTrap(CodeBreakpoints breakpoints, LandmarkComparator comparator, RunStats stats) {
		this.breakpoints = Objects.requireNonNull(breakpoints, "breakpoints");
		this.comparator = Objects.requireNonNull(comparator, "comparator");
		this.stats = Objects.requireNonNull(stats, "stats");
		breakpoints.onPatchConflict(this::fallBack);
	}

	/** Whether the landmark's site is wanted now. */
	boolean armed() {
		return armed;
	}

	/** Where the landmark is. */
	long address() {
		return address;
	}

	/** Whether the comparator (not the int3) watches the landmark now. */
	boolean comparing() {
		return armed && mode == Mode.COMPARATOR;
	}

	/**
	 * Before the guest runs thread {@code runningTid}: the landmark's site is wanted if that thread is the planned one,
	 * and not otherwise. {@code occupied} tells whether a thread stands strictly inside an address range.
	 */
	void prepare(int runningTid, Optional<Preemption> plan, BiPredicate<Long, Long> occupied) {
		boolean wanted = plan.isPresent() && plan.get().tid() == runningTid;
		// Another landmark at the same RIP (a kick there consumed the last one) needs the comparator's data anew.
		if (armed && (!wanted || !plan.get().landmark().equals(landmark) || tid != runningTid)) {
			disarm();
		}
		if (wanted && !armed) {
			landmark = plan.get().landmark();
			address = landmark.rip();
			tid = runningTid;
			armed = true;
			install(occupied);
		} else if (armed && mode == Mode.PENDING) {
			install(occupied);
		}
	}

	private void install(BiPredicate<Long, Long> occupied) {
		switch (comparator.install(landmark, occupied)) {
		case LandmarkComparator.Installed i -> mode = Mode.COMPARATOR;
		case LandmarkComparator.NotPresent n -> mode = Mode.PENDING;
		case LandmarkComparator.Refused r -> {
			stats.comparatorRefused(r.why());
			toInt3();
		}
		}
	}

	private void toInt3() {
		mode = Mode.INT3;
		breakpoints.add(address, CodeBreakpoints.Owner.LANDMARK);
	}

	/**
	 * Whether a #BP whose frame RIP is {@code frameRip} (after the int3) is at the landmark's int3, hit by thread
	 * {@code byTid}.
	 */
	boolean isHit(long frameRip, int byTid) {
		return armed && mode == Mode.INT3 && frameRip - 1 == address && byTid == tid && breakpoints.isHit(frameRip);
	}

	/** Whether a #BP whose frame RIP is {@code frameRip} is the comparator's match (of whichever thread). */
	boolean isComparatorHit(long frameRip) {
		return comparing() && comparator.isHit(frameRip);
	}

	/**
	 * Whether a fault at {@code rip} is the comparator's load of a memory word (an address unmapped on this pass): a
	 * miss, not the guest's fault.
	 */
	boolean isWordLoad(long rip) {
		return comparing() && comparator.isWordLoad(rip);
	}

	/** Whether {@code rip} is strictly inside the comparator's patch: a thread must not go on from there. */
	boolean insidePatch(long rip) {
		return comparing() && comparator.inside(rip);
	}

	/** The guest's own address of {@code rip}, which may be one of the comparator's displaced instructions. */
	long guestAddress(long rip) {
		return comparing() ? comparator.guestAddress(rip) : rip;
	}

	/**
	 * The comparator gives way to the int3 for the rest of this landmark: a thread is about to resume inside its patch
	 * (a signal handler returning there), or a site of ours is wanted there (then the patch is gone already).
	 */
	void fallBack() {
		if (comparing()) {
			comparator.uninstall();
			stats.comparatorRefused("a thread resumes inside the patch, or an int3 of ours is wanted there");
			toInt3();
		}
	}

	/** The landmark's site is no longer wanted. */
	void disarm() {
		if (armed) {
			switch (mode) {
			case INT3 -> breakpoints.remove(address, CodeBreakpoints.Owner.LANDMARK);
			case COMPARATOR -> comparator.uninstall();
			case PENDING -> {
				// nothing written
			}
			}
		}
		armed = false;
	}
}
