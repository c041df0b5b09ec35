package org.insight.analysis.locks;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

import org.insight.analysis.CallStack;
import org.insight.analysis.LockRef;

/**
 * What the lock profile found on one replay: per lock and per acquisition site within it, the columns of
 * {@code /proc/lock_stat} and mutrace ({@link LockStats}), in the order of {@link #order()} and cut to
 * {@link #top()} locks.
 *
 * @param locks      the locks shown, each with its sites, in order
 * @param all        how many locks the replay touched (before the cut)
 * @param total      the figures of all of them together (the maxima are the largest of any lock)
 * @param order      the column the locks and the sites of each are sorted by, largest first
 * @param top        at most this many locks are shown (0: all)
 */
public record LockProfile(List<Lock> locks, int all, LockStats total, Column order, int top) {
	/** The column sorted by when none is asked for: contention first, as mutrace. */
	public static final Column DEFAULT_ORDER = Column.CONTENDED;

	/**
	 * One lock's figures.
	 *
	 * @param lock  the lock
	 * @param mode  how it was taken: "exclusive", "read", "write" or "read/write"
	 * @param stats its figures over every site
	 * @param sites its acquisition sites (and the sites of its failed trylocks), in the profile's order
	 */
	public record Lock(LockRef lock, String mode, LockStats stats, List<Site> sites) {
		public Lock {
			Objects.requireNonNull(lock, "lock");
			sites = List.copyOf(sites);
		}
	}

	/**
	 * An acquisition site: a call of a lock function from one place (its return address).
	 *
	 * @param stack    the stack of its first call (the site is its first return address)
	 * @param function the lock function called there ("pthread_mutex_lock")
	 * @param stats    the figures of the acquisitions made there; the hold times are of the holds taken there
	 */
	public record Site(CallStack stack, String function, LockStats stats) {
		public Site {
			Objects.requireNonNull(stack, "stack");
			Objects.requireNonNull(function, "function");
		}

		/** The return address of the lock call, 0 when its stack could not be read. */
		public long returnAddress() {
			return stack.depth() == 0 ? 0 : stack.returnAddress(0);
		}
	}

	public LockProfile {
		locks = List.copyOf(locks);
		Objects.requireNonNull(total, "total");
		Objects.requireNonNull(order, "order");
		if (top < 0) {
			throw new IllegalArgumentException("top " + top + " < 0");
		}
	}

	/**
	 * The same profile sorted by {@code column} (largest first; ties by acquisitions, then contended, then lock
	 * address or site address), the first {@code top} locks only (0: all).
	 */
	public LockProfile ordered(Column column, int top) {
		Comparator<Lock> locksBy = Comparator.comparing(Lock::stats, column.order()).thenComparingLong(l -> l.lock()
				.address());
		Comparator<Site> sitesBy = Comparator.comparing(Site::stats, column.order()).thenComparingLong(
				Site::returnAddress);
		List<Lock> sorted = new ArrayList<>();
		for (Lock l : locks) {
			sorted.add(new Lock(l.lock(), l.mode(), l.stats(), l.sites().stream().sorted(sitesBy).toList()));
		}
		sorted.sort(locksBy);
		return new LockProfile(top == 0 || top >= sorted.size() ? sorted : sorted.subList(0, top), all, total, column,
				top);
	}
}
