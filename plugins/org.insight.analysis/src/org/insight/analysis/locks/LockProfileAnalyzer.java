package org.insight.analysis.locks;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.insight.analysis.Analyzer;
import org.insight.analysis.CallStack;
import org.insight.analysis.Event;
import org.insight.analysis.Event.Mode;
import org.insight.analysis.LockRef;

/**
 * The lock profile (ARCHITECTURE.md section 4): per lock, and per acquisition site within it, the acquisitions, the
 * contended ones, the failed trylocks, and the wait and hold times, as {@code /proc/lock_stat} and mutrace count them.
 * <ul>
 * <li><b>Contended</b>, decided on the event stream alone, so the same for every analysis of a recording: an
 * acquisition is contended when, at its {@link Event.LockRequested request} (the entry of the outermost lock call), the
 * lock was held by another thread in an incompatible mode: anything against an exclusive or write hold, a write
 * request against a read hold; two read holds never conflict. A thread holds a lock from the return of its acquiring
 * call to the entry of its release (or its exit). This is what mutrace calls contended: the lock was busy when asked
 * for (mutrace learns it from a failed trylock before the real lock call).</li>
 * <li><b>Trylocks</b> never wait, so never contend: a successful one is an uncontended acquisition, a failed one is
 * counted apart (failed trylocks), with no wait and no hold.</li>
 * <li><b>Condition waits</b> release the mutex at entry and retake it at return. The retaking is an acquisition (as
 * mutrace counts it), never contended and with no wait: it has no request, and its time inside the wait is the
 * condition's, which cannot be told apart from the mutex's (mutrace does the same). The hold before the wait ends at
 * its entry; a new hold starts at its return.</li>
 * <li><b>Wait</b> is the virtual time from the request to the acquisition: the lock call's own run, plus the guest time
 * of the other threads while it was blocked. Virtual time leaves out time when no thread ran (every thread blocked or
 * asleep), so a wait on a sleeping holder is shorter than its wall-clock time. A timed lock that gave up takes nothing
 * and is not counted.</li>
 * <li><b>Hold</b> is the virtual time from the acquisition to the release. A hold still under way when its thread
 * ends is ended there, and counted as held at exit (so is one still under way at the end of the replay).</li>
 * <li>A release of a lock the thread is not seen to hold (taken before the hooks, or by another thread) is ignored.
 * A recursive mutex's nested holds each count; a release ends the latest.</li>
 * </ul>
 * The sites are keyed by the lock call's return address; each hold's time goes to the site that took it.
 */
public final class LockProfileAnalyzer implements Analyzer {
	public static final String ID = "locks";
	public static final String VERSION = "1";

	private record Request(LockRef lock, long time, boolean contended, CallStack stack) {
	}

	private record Hold(LockRef lock, Mode mode, long since, Site site) {
	}

	/** What is counted of one site, as it grows. */
	private static final class Site {
		final CallStack stack;
		final String function;
		LockStats stats = LockStats.NONE;

		Site(CallStack stack, String function) {
			this.stack = stack;
			this.function = function;
		}
	}

	/** What is counted of one lock, as it grows. */
	private static final class Account {
		final LockRef lock;
		final Set<Mode> modes = EnumSet.noneOf(Mode.class);
		final Map<Long, Site> sites = new LinkedHashMap<>();
		LockStats stats = LockStats.NONE;

		Account(LockRef lock) {
			this.lock = lock;
		}

		Site site(CallStack stack, String function) {
			return sites.computeIfAbsent(stack.depth() == 0 ? 0 : stack.returnAddress(0), k -> new Site(stack,
					function));
		}
	}

	private final Map<Integer, Request> requests = new HashMap<>();
	private final Map<Integer, List<Hold>> held = new LinkedHashMap<>();
	private final Map<LockRef, Account> accounts = new LinkedHashMap<>();
	private long now;
	private LockProfile result;

	@Override
	public String id() {
		return ID;
	}

	@Override
	public String version() {
		return VERSION;
	}

	@Override
	public void accept(Event event) {
		if (result != null) {
			throw new IllegalStateException("the analysis has finished");
		}
		now = Math.max(now, event.time());
		switch (event) {
		case Event.LockRequested q -> requests.put(q.tid(), new Request(q.lock(), q.time(), !q.trylock()
				&& heldAgainst(q.lock(), q.mode(), q.tid()), q.stack()));
		case Event.LockAcquired a -> acquired(a);
		case Event.TryFailed t -> {
			requests.remove(t.tid());
			Account acc = account(t.lock());
			Site site = acc.site(t.stack(), t.function());
			acc.stats = acc.stats.tryFailed();
			site.stats = site.stats.tryFailed();
		}
		case Event.LockReleased r -> released(r.tid(), r.lock(), r.time());
		case Event.ThreadExited x -> {
			requests.remove(x.tid());
			endAll(x.tid(), x.time());
		}
		default -> {
			// threads made and joined, locks initialised: nothing to count
		}
		}
	}

	/** Whether a thread other than {@code tid} holds {@code lock} in a mode that excludes {@code mode}. */
	private boolean heldAgainst(LockRef lock, Mode mode, int tid) {
		for (Map.Entry<Integer, List<Hold>> e : held.entrySet()) {
			if (e.getKey() == tid) {
				continue;
			}
			for (Hold h : e.getValue()) {
				if (h.lock.equals(lock) && !(h.mode.shared() && mode.shared())) {
					return true;
				}
			}
		}
		return false;
	}

	private void acquired(Event.LockAcquired a) {
		Request q = requests.remove(a.tid());
		// A condition wait's retaking has no request of its own; a stale one (a timed lock that gave up) is not it.
		boolean requested = q != null && q.lock.equals(a.lock()) && q.stack.equals(a.stack());
		long wait = requested ? Math.max(0, a.time() - q.time) : 0;
		boolean contended = requested && q.contended && !a.trylock();
		Account acc = account(a.lock());
		acc.modes.add(a.mode());
		Site site = acc.site(a.stack(), a.function());
		acc.stats = acc.stats.acquired(contended, wait);
		site.stats = site.stats.acquired(contended, wait);
		held.computeIfAbsent(a.tid(), t -> new ArrayList<>()).add(new Hold(a.lock(), a.mode(), a.time(), site));
	}

	private void released(int tid, LockRef lock, long time) {
		List<Hold> mine = held.get(tid);
		if (mine == null) {
			return;
		}
		for (int i = mine.size() - 1; i >= 0; i--) {
			if (mine.get(i).lock.equals(lock)) {
				end(mine.remove(i), time, false);
				return;
			}
		}
	}

	private void endAll(int tid, long time) {
		List<Hold> mine = held.remove(tid);
		if (mine != null) {
			for (Hold h : mine) {
				end(h, time, true);
			}
		}
	}

	private void end(Hold h, long time, boolean atExit) {
		long hold = Math.max(0, time - h.since);
		Account acc = accounts.get(h.lock);
		acc.stats = acc.stats.released(hold, atExit);
		h.site.stats = h.site.stats.released(hold, atExit);
	}

	private Account account(LockRef lock) {
		return accounts.computeIfAbsent(lock, Account::new);
	}

	@Override
	public void finish() {
		for (Integer tid : List.copyOf(held.keySet())) {
			endAll(tid, now); // threads the replay ended without an exit of their own
		}
		List<LockProfile.Lock> locks = new ArrayList<>();
		LockStats total = LockStats.NONE;
		for (Account acc : accounts.values()) {
			List<LockProfile.Site> sites = acc.sites.values().stream().map(s -> new LockProfile.Site(s.stack,
					s.function, s.stats)).toList();
			locks.add(new LockProfile.Lock(acc.lock, mode(acc.modes), acc.stats, sites));
			total = total.plus(acc.stats);
		}
		result = new LockProfile(locks, locks.size(), total, LockProfile.DEFAULT_ORDER, 0).ordered(
				LockProfile.DEFAULT_ORDER, 0);
	}

	private static String mode(Set<Mode> modes) {
		if (modes.isEmpty()) {
			return "-"; // only failed trylocks
		}
		if (modes.contains(Mode.READ) || modes.contains(Mode.WRITE)) {
			return modes.contains(Mode.READ) && modes.contains(Mode.WRITE) ? "read/write"
					: modes.contains(Mode.READ) ? "read" : "write";
		}
		return "exclusive";
	}

	/** The profile, in the default order, once {@link #finish()} ran. */
	public LockProfile result() {
		if (result == null) {
			throw new IllegalStateException("the analysis has not finished");
		}
		return result;
	}
}
