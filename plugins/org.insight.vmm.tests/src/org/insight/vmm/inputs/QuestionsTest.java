package org.insight.vmm.inputs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.insight.kvm.Regs;
import org.junit.jupiter.api.Test;

/** The questions are values: a replay compares them and prints them. */
class QuestionsTest {
	@Test
	void syncPointsCompareByEveryFieldAndCannotBeChangedFromOutside() {
		long[] args = { 0x4c6f00, 0x80, 2, 0, 0, 0 };
		SyncPoint p = new SyncPoint(1001, 57, SyncPoint.Kind.BLOCKED, 202, args);
		args[0] = 0;
		assertEquals(0x4c6f00, p.arg(0), "the constructor copies the arguments");
		p.args()[1] = 7;
		assertEquals(0x80, p.arg(1), "args() hands out a copy");
		assertEquals(new SyncPoint(1001, 57, SyncPoint.Kind.BLOCKED, 202, new long[] { 0x4c6f00, 0x80, 2, 0, 0, 0 }),
				p);
		assertEquals(p.hashCode(), new SyncPoint(1001, 57, SyncPoint.Kind.BLOCKED, 202,
				new long[] { 0x4c6f00, 0x80, 2, 0, 0, 0 }).hashCode());
		assertNotEquals(p, new SyncPoint(1001, 58, SyncPoint.Kind.BLOCKED, 202, p.args()));
		assertNotEquals(p, new SyncPoint(1001, 57, SyncPoint.Kind.SYSCALL, 202, p.args()));
		assertNotEquals(p, new SyncPoint(1001, 57, SyncPoint.Kind.BLOCKED, 202, new long[] { 0x4c6f04, 0x80, 2, 0, 0,
				0 }));
		assertEquals("BLOCKED sync point 57 of thread 1001: syscall 202(0x4c6f00, 0x80, 0x2, 0x0, 0x0, 0x0)",
				p.describe());
	}

	@Test
	void landmarksKeepACopyOfTheRegisters() {
		Regs r = new Regs();
		r.rip = 0x401000;
		r.rax = 5;
		Landmark l = new Landmark(r, 0x4c0000, 0x1234);
		r.rax = 6;
		assertEquals(5, l.regs().rax);
		l.regs().rax = 7;
		assertEquals(5, l.regs().rax);
		Regs same = new Regs();
		same.rip = 0x401000;
		same.rax = 5;
		assertEquals(new Landmark(same, 0x4c0000, 0x1234), l);
		assertNotEquals(new Landmark(same, 0x4c0000, 0x1235), l);
		assertTrue(new Preemption(1000, 4, l, false).describe().contains("rip 0x401000"));
	}

	@Test
	void questionsDescribeThemselvesAndRefuseNonsense() {
		assertEquals("read of CLOCK_MONOTONIC for a timeout by thread 1000",
				new ClockRead(1000, ClockRead.CLOCK_MONOTONIC, ClockRead.Purpose.TIMEOUT).describe());
		assertEquals("read(0, ..., 4096) by thread 1002", new StdinRead(1002, 4096).describe());
		assertEquals("16 random bytes for AT_RANDOM by thread 1000",
				new RandomRequest(1000, 16, RandomRequest.Purpose.AT_RANDOM).describe());
		assertEquals("clock 42", ClockRead.clockName(42));
		assertThrows(IllegalArgumentException.class, () -> new RandomRequest(1, -1, RandomRequest.Purpose.GETRANDOM));
		assertThrows(IllegalArgumentException.class, () -> new StdinRead(1, -1));
	}
}
