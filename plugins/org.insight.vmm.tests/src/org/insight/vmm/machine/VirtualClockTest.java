package org.insight.vmm.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The virtual clock takes each kind of exit's cheapest round trip seen before off every later run of that kind. */
class VirtualClockTest {
	@Test
	void roundTripsOfEachKindAreLeftOut() {
		VirtualClock c = new VirtualClock();
		c.ran(1, RunStats.ExitKind.EXCEPTION, 1_000); // no estimate yet: counted whole
		c.ran(1, RunStats.ExitKind.EXCEPTION, 300); // a hook's step: 300 is the round trip from now on
		c.ran(1, RunStats.ExitKind.EXCEPTION, 5_300); // 5,000 of guest code
		c.ran(2, RunStats.ExitKind.SYSCALL, 200); // another kind has its own estimate
		c.ran(2, RunStats.ExitKind.SYSCALL, 700);
		c.ran(2, RunStats.ExitKind.EXCEPTION, 250); // faster than the estimate: nothing, never negative
		assertEquals(1_000 + 0 + 5_000, c.thread(1));
		assertEquals(200 + 500 + 0, c.thread(2));
		assertEquals(c.thread(1) + c.thread(2), c.total());
		assertEquals(0, c.thread(3));
	}
}
