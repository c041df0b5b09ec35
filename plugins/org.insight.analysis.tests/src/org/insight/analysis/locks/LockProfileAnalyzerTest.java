package org.insight.analysis.locks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.insight.analysis.CallStack;
import org.insight.analysis.Event;
import org.insight.analysis.Event.Mode;
import org.insight.analysis.LockRef;
import org.junit.jupiter.api.Test;

/** The lock profile on synthetic event streams with given virtual times: counts, contention, wait and hold. */
class LockProfileAnalyzerTest {
	private static final LockRef M = new LockRef(0x4c0000, "mutex");
	private static final LockRef N = new LockRef(0x4c0040, "mutex");
	private static final LockRef RW = new LockRef(0x4c0080, "rwlock");

	private final List<Event> events = new ArrayList<>();
	private long pos;

	private void request(long time, int tid, LockRef l, Mode mode, boolean trylock, long site) {
		events.add(new Event.LockRequested(pos++, time, tid, l, mode, trylock, CallStack.of(site, 0x401000),
				trylock ? "pthread_mutex_trylock" : "pthread_mutex_lock"));
	}

	private void acquired(long time, int tid, LockRef l, Mode mode, boolean trylock, long site) {
		events.add(new Event.LockAcquired(pos++, time, tid, l, mode, trylock, CallStack.of(site, 0x401000),
				trylock ? "pthread_mutex_trylock" : "pthread_mutex_lock"));
	}

	/** A lock call at {@code site} asked at {@code asked}, returning with the lock at {@code had}. */
	private void lock(int tid, LockRef l, long site, long asked, long had) {
		request(asked, tid, l, Mode.EXCLUSIVE, false, site);
		acquired(had, tid, l, Mode.EXCLUSIVE, false, site);
	}

	private void unlock(long time, int tid, LockRef l) {
		events.add(new Event.LockReleased(pos++, time, tid, l, CallStack.of(0x401234), "pthread_mutex_unlock"));
	}

	private LockProfile profile() {
		LockProfileAnalyzer a = new LockProfileAnalyzer();
		events.forEach(a::accept);
		a.finish();
		return a.result();
	}

	private static LockProfile.Lock lockOf(LockProfile p, LockRef l) {
		return p.locks().stream().filter(x -> x.lock().equals(l)).findFirst().orElseThrow();
	}

	private static LockProfile.Site siteOf(LockProfile.Lock l, long site) {
		return l.sites().stream().filter(s -> s.returnAddress() == site).findFirst().orElseThrow();
	}

	@Test
	void waitIsRequestToAcquisitionAndHoldIsAcquisitionToRelease() {
		lock(1, M, 0x401100, 10, 15);
		unlock(40, 1, M);
		lock(1, M, 0x401200, 100, 102);
		unlock(110, 1, M);
		LockProfile p = profile();
		LockStats s = lockOf(p, M).stats();
		assertEquals(new LockStats(2, 0, 0, 7, 5, 2, 33, 25, 0), s);
		assertEquals(3, s.waitMean());
		assertEquals(16, s.holdMean());
		assertEquals(new LockStats(1, 0, 0, 5, 5, 1, 25, 25, 0), siteOf(lockOf(p, M), 0x401100).stats());
		assertEquals(new LockStats(1, 0, 0, 2, 2, 1, 8, 8, 0), siteOf(lockOf(p, M), 0x401200).stats());
		assertEquals("pthread_mutex_lock", siteOf(lockOf(p, M), 0x401100).function());
		assertEquals("exclusive", lockOf(p, M).mode());
		assertEquals(1, p.all());
		assertEquals(s, p.total());
	}

	@Test
	void anAcquisitionIsContendedWhenAnotherThreadHeldTheLockAtItsRequest() {
		lock(1, M, 0x401100, 0, 1);
		request(5, 2, M, Mode.EXCLUSIVE, false, 0x402100); // thread 1 holds M: contended
		lock(1, N, 0x401300, 6, 7); // N is free: not
		unlock(8, 1, N);
		unlock(20, 1, M);
		acquired(22, 2, M, Mode.EXCLUSIVE, false, 0x402100);
		lock(2, M, 0x402200, 23, 24); // its own hold again (recursive): not contended
		unlock(25, 2, M);
		unlock(30, 2, M);
		lock(1, M, 0x401100, 40, 41); // released by then: not
		unlock(42, 1, M);
		LockProfile p = profile();
		LockProfile.Lock m = lockOf(p, M);
		assertEquals(4, m.stats().acquisitions());
		assertEquals(1, m.stats().contended());
		assertEquals(new LockStats(1, 1, 0, 17, 17, 1, 8, 8, 0), siteOf(m, 0x402100).stats());
		assertEquals(0, siteOf(m, 0x401100).stats().contended());
		assertEquals(0, siteOf(m, 0x402200).stats().contended());
		assertEquals(0, lockOf(p, N).stats().contended());
		assertEquals(1, p.total().contended());
		assertEquals(5, p.total().acquisitions());
	}

	@Test
	void readHoldsShareAndWritesExclude() {
		request(0, 1, RW, Mode.READ, false, 0x401100);
		acquired(1, 1, RW, Mode.READ, false, 0x401100);
		request(2, 2, RW, Mode.READ, false, 0x402100); // read against read: not contended
		acquired(3, 2, RW, Mode.READ, false, 0x402100);
		request(4, 3, RW, Mode.WRITE, false, 0x403100); // write against reads: contended
		unlock(5, 1, RW);
		unlock(6, 2, RW);
		acquired(9, 3, RW, Mode.WRITE, false, 0x403100);
		request(10, 1, RW, Mode.READ, false, 0x401100); // read against a write: contended
		unlock(12, 3, RW);
		acquired(13, 1, RW, Mode.READ, false, 0x401100);
		unlock(14, 1, RW);
		LockProfile.Lock rw = lockOf(profile(), RW);
		assertEquals("read/write", rw.mode());
		assertEquals(4, rw.stats().acquisitions());
		assertEquals(2, rw.stats().contended());
		assertEquals(new LockStats(2, 1, 0, 4, 3, 2, 5, 4, 0), siteOf(rw, 0x401100).stats());
		assertEquals(0, siteOf(rw, 0x402100).stats().contended());
		assertEquals(1, siteOf(rw, 0x403100).stats().contended());
	}

	@Test
	void aFailedTrylockIsCountedApartAndASuccessfulOneNeverContends() {
		lock(1, M, 0x401100, 0, 1);
		request(2, 2, M, Mode.EXCLUSIVE, true, 0x402100);
		events.add(new Event.TryFailed(pos++, 3, 2, M, CallStack.of(0x402100, 0x401000), "pthread_mutex_trylock"));
		request(4, 2, M, Mode.EXCLUSIVE, true, 0x402100);
		acquired(5, 2, M, Mode.EXCLUSIVE, true, 0x402100); // (thread 1 released it unseen: a foreign release)
		LockProfile.Lock m = lockOf(profile(), M);
		assertEquals(2, m.stats().acquisitions());
		assertEquals(0, m.stats().contended());
		assertEquals(1, m.stats().failedTrylocks());
		LockStats site = siteOf(m, 0x402100).stats();
		assertEquals(1, site.acquisitions());
		assertEquals(1, site.failedTrylocks());
		assertEquals(1, site.waitTotal(), "the failed trylock adds no wait");
	}

	@Test
	void aConditionWaitReleasesAtEntryAndItsRetakingIsAnAcquisitionWithoutWait() {
		lock(1, M, 0x401100, 0, 2);
		// pthread_cond_wait(c, M) at 0x401180: M given back at entry, had again at its return
		events.add(new Event.LockReleased(pos++, 10, 1, M, CallStack.of(0x401180), "pthread_cond_wait"));
		lock(2, M, 0x402100, 11, 12); // free while thread 1 waits: not contended
		unlock(20, 2, M);
		events.add(new Event.LockAcquired(pos++, 50, 1, M, Mode.EXCLUSIVE, false, CallStack.of(0x401180),
				"pthread_cond_wait"));
		request(55, 2, M, Mode.EXCLUSIVE, false, 0x402100); // thread 1 has it again: contended
		unlock(60, 1, M);
		acquired(61, 2, M, Mode.EXCLUSIVE, false, 0x402100);
		unlock(62, 2, M);
		LockProfile.Lock m = lockOf(profile(), M);
		assertEquals(4, m.stats().acquisitions());
		assertEquals(1, m.stats().contended());
		assertEquals(new LockStats(1, 0, 0, 0, 0, 1, 10, 10, 0), siteOf(m, 0x401180).stats());
		assertEquals(new LockStats(1, 0, 0, 2, 2, 1, 8, 8, 0), siteOf(m, 0x401100).stats());
		assertEquals(new LockStats(2, 1, 0, 7, 6, 2, 9, 8, 0), siteOf(m, 0x402100).stats());
	}

	@Test
	void aTimedLockThatGaveUpLeavesNoRequestForTheNextAcquisition() {
		request(0, 1, M, Mode.EXCLUSIVE, false, 0x401100); // a timed lock that returned ETIMEDOUT: no acquisition
		events.add(new Event.LockAcquired(pos++, 30, 1, M, Mode.EXCLUSIVE, false, CallStack.of(0x401180),
				"pthread_cond_wait"));
		LockStats s = lockOf(profile(), M).stats();
		assertEquals(1, s.acquisitions());
		assertEquals(0, s.waitTotal());
	}

	@Test
	void aHoldStillUnderWayEndsAtItsThreadsExit() {
		lock(2, M, 0x402100, 0, 5);
		lock(2, N, 0x402200, 6, 7);
		unlock(8, 2, N);
		events.add(new Event.ThreadExited(pos++, 25, 2));
		lock(3, N, 0x403100, 26, 27); // never released, and the thread never seen to exit: ends at the last event
		events.add(new Event.ThreadExited(pos++, 40, 1));
		LockProfile p = profile();
		assertEquals(new LockStats(1, 0, 0, 5, 5, 1, 20, 20, 1), lockOf(p, M).stats());
		assertEquals(new LockStats(2, 0, 0, 2, 1, 2, 14, 13, 1), lockOf(p, N).stats());
		assertEquals(2, p.total().heldAtExit());
	}

	@Test
	void aHoldOpenAtTheEndOfTheRunLastsUntilTheRunEnded() {
		lock(2, M, 0x402100, 0, 5); // held by a thread that never exits before the run ends (exit_group from main)
		events.add(new Event.ThreadExited(pos++, 10, 1));
		events.add(new Event.RunEnded(pos++, 50, 0));
		assertEquals(new LockStats(1, 0, 0, 5, 5, 1, 45, 45, 1), lockOf(profile(), M).stats());
	}

	@Test
	void sortedByAnyColumnAndCutToTheTop() {
		LockRef a = new LockRef(0x500000, "mutex");
		LockRef b = new LockRef(0x500040, "mutex");
		LockRef c = new LockRef(0x500080, "mutex");
		for (int i = 0; i < 3; i++) {
			lock(1, a, 0x401100, 100 * i, 100 * i + 1);
			unlock(100 * i + 2, 1, a);
		}
		lock(1, b, 0x401200, 400, 401);
		unlock(500, 1, b); // the longest hold
		lock(1, c, 0x401300, 600, 601);
		unlock(602, 1, c);
		lock(1, c, 0x401310, 603, 640); // the longest wait
		unlock(641, 1, c);
		LockProfile p = profile();
		assertEquals(List.of(a, c, b), p.ordered(Column.ACQUISITIONS, 0).locks().stream().map(LockProfile.Lock::lock)
				.toList());
		assertEquals(List.of(b, a, c), p.ordered(Column.HOLD_TOTAL, 0).locks().stream().map(LockProfile.Lock::lock)
				.toList());
		LockProfile top = p.ordered(Column.WAIT_MAX, 1);
		assertEquals(List.of(c), top.locks().stream().map(LockProfile.Lock::lock).toList());
		assertEquals(3, top.all(), "the cut keeps the count of all locks");
		assertEquals(6, top.total().acquisitions(), "and their totals");
		assertEquals(Column.WAIT_MAX, top.order());
		assertEquals(List.of(0x401310L, 0x401300L), top.locks().get(0).sites().stream().map(
				LockProfile.Site::returnAddress).toList(), "the sites are sorted by the column too");
		// ties (no lock contended) fall back on acquisitions, then the lock's address
		assertEquals(List.of(a, c, b), p.ordered(Column.CONTENDED, 0).locks().stream().map(LockProfile.Lock::lock)
				.toList());
		assertEquals(3, p.ordered(Column.CONTENDED, 5).locks().size());
	}

	@Test
	void columnsAreParsedByTheirNames() {
		assertEquals(Optional.of(Column.WAIT_TOTAL), Column.parse("wait-total"));
		assertEquals(Optional.empty(), Column.parse("waittime"));
		assertEquals(Column.values().length, Column.labels().size());
		assertTrue(Column.labels().contains("held-at-exit"));
		for (Column c : Column.values()) {
			assertEquals(Optional.of(c), Column.parse(c.label()));
		}
	}
}
