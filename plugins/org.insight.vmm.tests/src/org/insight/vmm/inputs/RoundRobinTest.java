package org.insight.vmm.inputs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.insight.kvm.Regs;
import org.junit.jupiter.api.Test;

class RoundRobinTest {
	private long now;
	private final RoundRobin rr = new RoundRobin(Duration.ofMillis(10), () -> now);

	private static SyncPoint at(int tid, SyncPoint.Kind kind) {
		return new SyncPoint(tid, 0, kind, 1, new long[6]);
	}

	@Test
	void keepsTheThreadUntilItsSliceIsUsedUp() {
		List<Integer> both = List.of(1000, 1001);
		assertEquals(1000, rr.choose(at(1000, SyncPoint.Kind.SYSCALL), both));
		now += 9_000_000;
		assertEquals(1000, rr.choose(at(1000, SyncPoint.Kind.SYSCALL), both));
		now += 1_000_000;
		assertEquals(1001, rr.choose(at(1000, SyncPoint.Kind.SYSCALL), both), "slice of 10 ms used up");
		now += 1_000_000;
		assertEquals(1001, rr.choose(at(1001, SyncPoint.Kind.SYSCALL), both), "a new slice for 1001");
	}

	@Test
	void aLoneThreadGetsANewSliceInsteadOfASwitch() {
		List<Integer> alone = List.of(1000);
		rr.choose(at(1000, SyncPoint.Kind.SYSCALL), alone);
		now += 20_000_000;
		assertEquals(1000, rr.choose(at(1000, SyncPoint.Kind.SYSCALL), alone));
		now += 5_000_000;
		assertEquals(1000, rr.choose(at(1000, SyncPoint.Kind.SYSCALL), List.of(1000, 1001)),
				"the slice restarted when it was renewed");
	}

	@Test
	void blockedYieldingAndExitedThreadsHandOverInTidOrderWrappingAround() {
		assertEquals(1002, rr.choose(at(1001, SyncPoint.Kind.BLOCKED), List.of(1000, 1002, 1005)));
		assertEquals(1000, rr.choose(at(1005, SyncPoint.Kind.EXITED), List.of(1000, 1002)));
		assertEquals(1003, rr.choose(at(1002, SyncPoint.Kind.YIELD), List.of(1000, 1002, 1003)));
		assertEquals(1002, rr.choose(at(1002, SyncPoint.Kind.YIELD), List.of(1002)), "nobody else: keep running");
	}

	@Test
	void preemptsOnlyWhenSomethingElseCouldRun() {
		Preemption p = new Preemption(1000, 3, new Landmark(new Regs(), 0, 0), false);
		assertFalse(rr.preempt(p, List.of()));
		assertTrue(rr.preempt(p, List.of(1001)));
		assertTrue(rr.preempt(new Preemption(1000, 3, new Landmark(new Regs(), 0, 0), true), List.of()),
				"a timeout may have expired");
	}

	@Test
	void refusesAnEmptyChoiceAndANegativeSlice() {
		assertThrows(IllegalArgumentException.class, () -> rr.choose(at(1000, SyncPoint.Kind.BLOCKED), List.of()));
		assertThrows(IllegalArgumentException.class, () -> new RoundRobin(Duration.ofMillis(-1)));
	}
}
