package org.insight.analysis.deadlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.insight.analysis.CallStack;
import org.insight.analysis.Event;
import org.insight.analysis.Event.Mode;
import org.insight.analysis.LockRef;
import org.junit.jupiter.api.Test;

/** The lock-order graph, its cycles and their filters on synthetic event streams (no machine). */
class DeadlockAnalyzerTest {
	private static final LockRef A = new LockRef(0x1000, "mutex");
	private static final LockRef B = new LockRef(0x2000, "mutex");
	private static final LockRef C = new LockRef(0x3000, "mutex");
	private static final LockRef G = new LockRef(0x500, "mutex");
	private static final LockRef RW1 = new LockRef(0x4000, "rwlock");
	private static final LockRef RW2 = new LockRef(0x5000, "rwlock");
	private static final Names NAMES = l -> switch ((int) l.address()) {
	case 0x1000 -> "a";
	case 0x2000 -> "b";
	case 0x3000 -> "c";
	case 0x500 -> "gate";
	default -> "0x" + Long.toHexString(l.address());
	};

	private final List<Event> events = new ArrayList<>();
	private long pos;

	private void create(int parent, int child) {
		events.add(new Event.ThreadCreated(pos++, 0, parent, child));
	}

	private void join(int joiner, int child) {
		events.add(new Event.ThreadExited(pos++, 0, child));
		events.add(new Event.ThreadJoined(pos++, 0, joiner, child));
	}

	/** A request then its acquisition, as the hooks give them (times are no part of this analysis: 0). */
	private void lock(int tid, LockRef l, Mode mode, boolean trylock, long site) {
		events.add(new Event.LockRequested(pos++, 0, tid, l, mode, trylock, CallStack.of(site), "pthread_mutex_lock"));
		events.add(new Event.LockAcquired(pos++, 0, tid, l, mode, trylock, CallStack.of(site), "pthread_mutex_lock"));
	}

	private void lock(int tid, LockRef l, long site) {
		lock(tid, l, Mode.EXCLUSIVE, false, site);
	}

	private void unlock(int tid, LockRef l) {
		events.add(new Event.LockReleased(pos++, 0, tid, l, CallStack.EMPTY, "pthread_mutex_unlock"));
	}

	/** Thread tid takes first then second, then releases both. */
	private void nested(int tid, LockRef first, LockRef second, long site) {
		lock(tid, first, site);
		lock(tid, second, site + 1);
		unlock(tid, second);
		unlock(tid, first);
	}

	private DeadlockResult analyse() {
		DeadlockAnalyzer a = new DeadlockAnalyzer(NAMES);
		events.forEach(a::accept);
		a.finish();
		return a.result();
	}

	@Test
	void twoLockInversionBetweenConcurrentThreadsIsACycleWithBothStacks() {
		create(1, 2);
		create(1, 3);
		nested(2, A, B, 0x401000);
		nested(3, B, A, 0x402000);
		nested(2, A, B, 0x401000);
		join(1, 2);
		join(1, 3);
		DeadlockResult r = analyse();
		assertEquals(1, r.findings().size(), r.toString());
		Finding f = r.findings().get(0);
		assertEquals(List.of(A, B), f.locks());
		assertEquals(List.of(2, 3), f.threads());
		Edge ab = f.edges().get(0);
		assertEquals(2, ab.count());
		assertEquals(CallStack.of(0x401000), ab.first().fromStack());
		assertEquals(CallStack.of(0x401001), ab.first().toStack());
		assertEquals(CallStack.of(0x402000), f.edges().get(1).first().fromStack());
		assertTrue(f.id().startsWith("DL-"));
		assertEquals(2, r.locks());
		assertEquals(2, r.edges());
	}

	@Test
	void threeLockCycleIsFoundOnceWhateverTheOrderOfDiscovery() {
		create(1, 2);
		create(1, 3);
		create(1, 4);
		nested(3, B, C, 0x10);
		nested(4, C, A, 0x20);
		nested(2, A, B, 0x30);
		DeadlockResult r = analyse();
		assertEquals(1, r.findings().size());
		assertEquals(List.of(A, B, C), r.findings().get(0).locks());
	}

	@Test
	void gateLockFiltersTheCycleAndNamesTheGate() {
		create(1, 2);
		create(1, 3);
		lock(2, G, 1);
		nested(2, A, B, 0x10);
		unlock(2, G);
		lock(3, G, 2);
		nested(3, B, A, 0x20);
		unlock(3, G);
		DeadlockResult r = analyse();
		assertEquals(0, r.findings().size());
		assertEquals(1, r.filtered().size());
		assertTrue(r.filtered().get(0).filterReasons().get(0).startsWith("gate lock: gate was held"),
				r.filtered().get(0).filterReasons().toString());
	}

	@Test
	void aGateMissingFromOneOccurrenceIsNoGate() {
		create(1, 2);
		create(1, 3);
		lock(2, G, 1);
		nested(2, A, B, 0x10);
		unlock(2, G);
		nested(2, A, B, 0x10);
		lock(3, G, 2);
		nested(3, B, A, 0x20);
		unlock(3, G);
		assertEquals(1, analyse().findings().size());
	}

	@Test
	void singleThreadCycleIsFiltered() {
		nested(1, A, B, 0x10);
		nested(1, B, A, 0x20);
		DeadlockResult r = analyse();
		assertEquals(0, r.findings().size());
		assertTrue(r.filtered().get(0).filterReasons().get(0).startsWith("single-thread cycle"));
	}

	@Test
	void createJoinOrderedCycleIsFiltered() {
		create(1, 2);
		nested(2, A, B, 0x10);
		join(1, 2);
		create(1, 3);
		nested(3, B, A, 0x20);
		join(1, 3);
		DeadlockResult r = analyse();
		assertEquals(0, r.findings().size());
		assertTrue(r.filtered().get(0).filterReasons().get(0).startsWith("ordered by thread create/join"),
				r.filtered().get(0).filterReasons().toString());
	}

	@Test
	void parentBeforeCreateAndChildAreOrderedButParentAfterCreateIsNot() {
		nested(1, A, B, 0x10);
		create(1, 2);
		nested(2, B, A, 0x20);
		assertEquals(0, analyse().findings().size());
		nested(1, A, B, 0x10); // the parent again, now concurrent with the child
		assertEquals(1, analyse().findings().size());
	}

	@Test
	void trylockAddsNoEdgeButWhatItTookIsHeld() {
		create(1, 2);
		create(1, 3);
		lock(2, A, 0x10);
		lock(2, B, Mode.EXCLUSIVE, true, 0x11); // trylock: no A->B
		unlock(2, B);
		unlock(2, A);
		nested(3, B, A, 0x20);
		DeadlockResult r = analyse();
		assertEquals(0, r.findings().size());
		assertEquals(0, r.filtered().size());
		assertEquals(1, r.edges());
		events.clear();
		create(1, 2);
		create(1, 3);
		lock(2, A, Mode.EXCLUSIVE, true, 0x10); // took A by trylock, then waits for B holding it
		lock(2, B, 0x11);
		nested(3, B, A, 0x20);
		assertEquals(1, analyse().findings().size());
	}

	@Test
	void readReadRwlockPairsAreNoEdge() {
		create(1, 2);
		create(1, 3);
		lock(2, RW1, Mode.READ, false, 1);
		lock(2, RW2, Mode.READ, false, 2);
		unlock(2, RW2);
		unlock(2, RW1);
		lock(3, RW2, Mode.READ, false, 3);
		lock(3, RW1, Mode.READ, false, 4);
		DeadlockResult r = analyse();
		assertEquals(0, r.edges());
		assertEquals(0, r.findings().size());
		lock(3, RW1, Mode.WRITE, false, 5); // a writer while holding RW2 for reading: RW2 -> RW1
		unlock(3, RW1);
		lock(2, RW1, Mode.READ, false, 6);
		lock(2, RW2, Mode.WRITE, false, 7);
		assertEquals(1, analyse().findings().size());
	}

	@Test
	void releaseOfTheRightHoldAndExitDropsHolds() {
		create(1, 2);
		create(1, 3);
		lock(2, A, 1);
		unlock(2, A);
		lock(2, B, 2); // A no longer held: no edge
		events.add(new Event.ThreadExited(pos++, 0, 2));
		lock(3, C, 3);
		DeadlockResult r = analyse();
		assertEquals(0, r.edges());
	}
}
