package org.insight.vmm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The status a shell sees, as Linux reports it. */
class TerminationTest {
	@Test
	void signalsMapTo128PlusTheSignal() {
		assertEquals(134, new Termination.Signaled(Signals.SIGABRT, "abort").status());
		assertEquals(139, new Termination.Signaled(Signals.SIGSEGV, "fault").status());
		assertEquals(132, new Termination.Signaled(Signals.SIGILL, "ud2").status());
		assertEquals(136, new Termination.Signaled(Signals.SIGFPE, "div").status());
		assertEquals(137, new Termination.Signaled(Signals.SIGKILL, "oom").status());
	}

	@Test
	void exitCodesKeepTheirLowByte() {
		assertEquals(0, new Termination.Exited(0).status());
		assertEquals(3, new Termination.Exited(3).status());
		assertEquals(0, new Termination.Exited(256).status());
		assertEquals(255, new Termination.Exited(-1).status());
	}

	@Test
	void signalNames() {
		assertEquals("SIGABRT", Signals.name(6));
		assertEquals("SIGRTMIN+3", Signals.name(35));
		assertEquals("signal 65", Signals.name(65));
		assertEquals(Signals.DefaultAction.IGNORE, Signals.defaultAction(Signals.SIGCHLD));
		assertEquals(Signals.DefaultAction.STOP, Signals.defaultAction(Signals.SIGTSTP));
		assertEquals(Signals.DefaultAction.TERMINATE, Signals.defaultAction(40));
	}
}
