package org.insight.vmm.inputs;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded random scheduling, in the spirit of rr's chaos mode: at each sync point the running thread is switched out
 * with some probability, and hand-overs pick any runnable thread rather than the next in order, so interleavings
 * that round-robin would almost never produce (a preemption right after a lock is taken) show up within a few runs.
 * <p>
 * The decisions depend only on the seed and the sequence of questions, never on host time, so one seed gives one
 * interleaving for a given program, and every decision is recorded anyway.
 */
public final class Chaos implements SchedulingPolicy {
	/** Chance that a thread returning from a syscall is switched out although it could go on. */
	static final double SWITCH_AT_SYSCALL = 0.25;
	/**
	 * Chance that a thread about to call a lock function ({@code --mode locks}) is switched out: a switch while it
	 * holds one lock and asks for another is what exposes a lock-order inversion.
	 */
	static final double SWITCH_AT_LOCK_CALL = 0.25;
	/** Chance that a watchdog kick preempts when another thread could run. */
	static final double PREEMPT_AT_KICK = 0.5;

	private final long seed;
	private final SplittableRandom random;

	public Chaos(long seed) {
		this.seed = seed;
		this.random = new SplittableRandom(seed);
	}

	public long seed() {
		return seed;
	}

	@Override
	public int choose(SyncPoint point, List<Integer> runnable) {
		if (runnable.isEmpty()) {
			throw new IllegalArgumentException("nothing runnable at " + point.describe());
		}
		int current = point.tid();
		List<Integer> others = new ArrayList<>(runnable);
		others.remove(Integer.valueOf(current));
		boolean canStay = runnable.contains(current);
		if (others.isEmpty()) {
			return canStay ? current : runnable.get(0);
		}
		if (point.kind() == SyncPoint.Kind.SYSCALL && canStay && random.nextDouble() >= SWITCH_AT_SYSCALL) {
			return current;
		}
		// At a lock call the coin was tossed already: the lock-call countdown ({@link LockCallCountdown}) makes a
		// call a sync point as often as this policy once switched out at one (SWITCH_AT_LOCK_CALL), and it switches.
		return others.get(random.nextInt(others.size()));
	}

	@Override
	public boolean preempt(Preemption point, List<Integer> otherRunnable) {
		if (point.timersPending()) {
			return true;
		}
		return !otherRunnable.isEmpty() && random.nextDouble() < PREEMPT_AT_KICK;
	}
}
