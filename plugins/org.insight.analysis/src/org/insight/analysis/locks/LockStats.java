package org.insight.analysis.locks;

/**
 * The figures of one lock, or of one acquisition site of a lock, over a replay. Times are virtual nanoseconds
 * ({@link org.insight.analysis.Event#time()}): measured, so never deterministic; the counts are exact.
 *
 * @param acquisitions   successful acquisitions (lock, timed lock and trylock calls that took it, and a condition
 *                       wait's retaking of its mutex)
 * @param contended      acquisitions that found the lock held by another thread in an incompatible mode when they were
 *                       requested ({@link LockProfileAnalyzer} defines it)
 * @param failedTrylocks trylocks that failed (taking nothing, waiting for nothing)
 * @param waitTotal      the virtual time from each acquisition's request to its acquisition, summed
 * @param waitMax        the longest of those
 * @param holds          the holds that ended (a release, or the holder's exit): the holds the hold times are of
 * @param holdTotal      the virtual time from each acquisition to its release (or its holder's exit), summed
 * @param holdMax        the longest of those
 * @param heldAtExit     holds still under way when their thread ended (counted in the hold times up to the exit)
 */
public record LockStats(long acquisitions, long contended, long failedTrylocks, long waitTotal, long waitMax,
		long holds, long holdTotal, long holdMax, long heldAtExit) {
	public static final LockStats NONE = new LockStats(0, 0, 0, 0, 0, 0, 0, 0, 0);

	/** The mean wait per acquisition (every acquisition has one: at least the lock call's own run), rounded down. */
	public long waitMean() {
		return acquisitions == 0 ? 0 : waitTotal / acquisitions;
	}

	/** The mean hold per ended hold, rounded down. */
	public long holdMean() {
		return holds == 0 ? 0 : holdTotal / holds;
	}

	LockStats acquired(boolean contention, long wait) {
		return new LockStats(acquisitions + 1, contended + (contention ? 1 : 0), failedTrylocks, waitTotal + wait,
				Math.max(waitMax, wait), holds, holdTotal, holdMax, heldAtExit);
	}

	LockStats tryFailed() {
		return new LockStats(acquisitions, contended, failedTrylocks + 1, waitTotal, waitMax, holds, holdTotal, holdMax,
				heldAtExit);
	}

	LockStats released(long hold, boolean atExit) {
		return new LockStats(acquisitions, contended, failedTrylocks, waitTotal, waitMax, holds + 1, holdTotal + hold,
				Math.max(holdMax, hold), heldAtExit + (atExit ? 1 : 0));
	}

	/** These figures and {@code o}'s together: counts and totals added, maxima the larger. */
	public LockStats plus(LockStats o) {
		return new LockStats(acquisitions + o.acquisitions, contended + o.contended, failedTrylocks + o.failedTrylocks,
				waitTotal + o.waitTotal, Math.max(waitMax, o.waitMax), holds + o.holds, holdTotal + o.holdTotal,
				Math.max(holdMax, o.holdMax), heldAtExit + o.heldAtExit);
	}
}
