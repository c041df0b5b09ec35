package org.insight.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

import org.insight.analysis.deadlock.DeadlockAnalyzer;
import org.insight.analysis.deadlock.DeadlockResult;
import org.insight.analysis.deadlock.Names;
import org.junit.jupiter.api.Test;

/**
 * The second replay of a counted deadlock analysis ({@link ExactStacks}) stops once it has every stack the report
 * shows: the cycles' first edges, and the init sites of the cycles' locks.
 */
class ExactStacksTest {
	private static final LockRef A = new LockRef(0x600100, "mutex");
	private static final LockRef B = new LockRef(0x600140, "mutex");

	/**
	 * The events of one run: an A-B cycle, then A (statically initialised) is initialised again. The counted analysis
	 * sees the init with its call site alone; the exact one with the whole stack.
	 */
	private static List<Event> run(CallStack initStack) {
		CallStack s = CallStack.of(0x402010);
		List<Event> e = new ArrayList<>();
		e.add(new Event.LockAcquired(1, 0, 1, A, Event.Mode.EXCLUSIVE, false, s, "pthread_mutex_lock"));
		e.add(new Event.LockAcquired(2, 0, 1, B, Event.Mode.EXCLUSIVE, false, s, "pthread_mutex_lock"));
		e.add(new Event.LockReleased(3, 0, 1, B, s, "pthread_mutex_unlock"));
		e.add(new Event.LockReleased(4, 0, 1, A, s, "pthread_mutex_unlock"));
		e.add(new Event.LockAcquired(5, 0, 2, B, Event.Mode.EXCLUSIVE, false, s, "pthread_mutex_lock"));
		e.add(new Event.LockAcquired(6, 0, 2, A, Event.Mode.EXCLUSIVE, false, s, "pthread_mutex_lock"));
		e.add(new Event.LockReleased(7, 0, 2, A, s, "pthread_mutex_unlock"));
		e.add(new Event.LockReleased(8, 0, 2, B, s, "pthread_mutex_unlock"));
		e.add(new Event.LockInitialised(9, 0, 2, A, initStack));
		return e;
	}

	@Test
	void theSecondReplayGoesOnToTheInitSitesOfTheCyclesLocks() throws Exception {
		CallStack callSite = CallStack.of(0x402030);
		CallStack whole = CallStack.of(0x402030, 0x402100, 0x402200);
		DeadlockAnalyzer counted = new DeadlockAnalyzer(Names.ADDRESSES);
		run(callSite).forEach(counted::accept);
		counted.finish();
		DeadlockResult c = counted.result();
		assertEquals(1, c.findings().size() + c.filtered().size(), "the A-B cycle");
		ExactStacks.Replay replay = (Predicate<DeadlockAnalyzer> enough) -> {
			DeadlockAnalyzer exact = new DeadlockAnalyzer(Names.ADDRESSES);
			for (Event e : run(whole)) {
				exact.accept(e);
				if (enough != null && enough.test(exact)) {
					break; // ExactStacks.Enough, thrown through the machine
				}
			}
			return new ReplayAnalysis.Replayed(List.of(exact), null, null, null, null, 0, false, Optional.empty(), 0,
					0);
		};
		DeadlockResult merged = ExactStacks.of(c, false, replay);
		assertEquals(whole, merged.initSites().get(A), "the exact init site, not the counted call site");
	}
}
