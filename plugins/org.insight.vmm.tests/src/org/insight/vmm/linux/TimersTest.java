package org.insight.vmm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.insight.vmm.sched.Decision;
import org.insight.vmm.sched.GuestThread;
import org.insight.vmm.sched.ThreadState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * alarm, setitimer, the POSIX timers and timerfds on the personality and the scheduler alone: what each call answers,
 * and that a timer expires at the sync point after its deadline on the (scripted) guest clock.
 */
class TimersTest {
	private static final long MS = 1_000_000L, SECOND = 1000 * MS;
	private static final long HANDLER = 0x401100, RESTORER = 0x401200;
	private final LinuxFixture f = new LinuxFixture();

	@AfterEach
	void close() {
		f.close();
	}

	private void handle(int signal) {
		long act = f.u64s(HANDLER, SignalFrame.SA_RESTORER | SignalFrame.SA_SIGINFO, RESTORER, 0);
		assertEquals(0, f.call(Syscalls.RT_SIGACTION, signal, act, 0, 8));
	}

	/** The clock moves to {@code ns} after its start, and the main thread reaches a sync point (a getpid). */
	private Decision at(long ns) {
		f.inputs.monotonic = 1_000_000_000L + ns;
		return f.scheduler.afterSyscall(Syscalls.GETPID, new long[6]);
	}

	private long itimerval(long intervalUs, long valueUs) {
		return f.u64s(intervalUs / 1_000_000, intervalUs % 1_000_000, valueUs / 1_000_000, valueUs % 1_000_000);
	}

	private long itimerspec(long intervalNs, long valueNs) {
		return f.u64s(intervalNs / SECOND, intervalNs % SECOND, valueNs / SECOND, valueNs % SECOND);
	}

	@Test
	void alarmReturnsTheOldSecondsRoundedAndItsSigalrmKillsWithoutAHandler() {
		assertEquals(0, f.call(Syscalls.ALARM, 5));
		f.inputs.monotonic += 3_400 * MS;
		assertEquals(2, f.call(Syscalls.ALARM, 2), "1.6 s left: rounded up from half a second");
		f.inputs.monotonic += 1_999 * MS;
		assertEquals(1, f.call(Syscalls.ALARM, 3), "1 ms left never reads as 0");
		assertFalse(at(8_399 * MS - 1) instanceof Decision.Ended, "due at 5.399 s + 3 s");
		assertInstanceOf(Decision.Ended.class, at(8_399 * MS));
		assertEquals(Signals.SIGALRM, ((Termination.Signaled) f.process.termination().orElseThrow()).signal());
	}

	@Test
	void aPeriodicItimerSendsOneSigalrmForSeveralLatePeriodsAndGetitimerShowsTheRest() {
		handle(Signals.SIGALRM);
		assertEquals(0, f.call(Syscalls.SETITIMER, IntervalTimerCalls.ITIMER_REAL, itimerval(1000, 1000), 0));
		assertTrue(f.scheduler.timeoutsPending(), "an armed timer counts as a timeout for the scheduler");
		at(3_500_000);
		assertEquals(SignalCalls.bit(Signals.SIGALRM), f.process.pendingSignals());
		long cur = f.alloc(32);
		assertEquals(0, f.call(Syscalls.GETITIMER, IntervalTimerCalls.ITIMER_REAL, cur));
		assertEquals(1000, f.space.readU64(cur + 8), "interval 1 ms");
		assertEquals(500, f.space.readU64(cur + 24), "0.5 ms to the expiry at 4 ms");
		long old = f.alloc(32);
		assertEquals(0, f.call(Syscalls.SETITIMER, IntervalTimerCalls.ITIMER_REAL, 0, old), "NULL disarms");
		assertEquals(500, f.space.readU64(old + 24));
		assertFalse(f.scheduler.timeoutsPending());
		assertEquals(-Errno.ENOSYS, f.call(Syscalls.SETITIMER, IntervalTimerCalls.ITIMER_PROF, itimerval(0, 10), 0));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.SETITIMER, 7, itimerval(0, 10), 0));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.SETITIMER, 0, f.u64s(0, 1_000_000, 0, 0), 0));
	}

	@Test
	void aPosixTimerSendsItsSignalWithSiTimerAndCountsOverrunsWhileItIsPending() {
		handle(Signals.SIGUSR1);
		long sev = f.u64s(0xabcdef, Signals.SIGUSR1 | (long) PosixTimerCalls.SIGEV_SIGNAL << 32, 0);
		long id = f.alloc(8);
		assertEquals(0, f.call(Syscalls.TIMER_CREATE, 1, sev, id));
		assertEquals(0, f.space.readU32(id), "ids count from 0");
		assertEquals(0, f.call(Syscalls.TIMER_SETTIME, 0, 0, itimerspec(10 * MS, 10 * MS), 0));
		at(10 * MS);
		byte[] info = f.process.pending().shared().take(Signals.SIGUSR1);
		assertEquals(PosixTimerCalls.SI_TIMER, java.nio.ByteBuffer.wrap(info).order(java.nio.ByteOrder.LITTLE_ENDIAN)
				.getInt(8));
		assertEquals(0xabcdef, java.nio.ByteBuffer.wrap(info).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(24));
		at(20 * MS);
		at(45 * MS); // two periods (30 and 40 ms) while the signal of 20 ms is pending: overruns
		assertEquals(0, f.call(Syscalls.TIMER_GETOVERRUN, 0));
		f.process.pending().shared().take(Signals.SIGUSR1);
		at(50 * MS);
		assertEquals(2, f.call(Syscalls.TIMER_GETOVERRUN, 0), "the signal of 50 ms carries the two missed");
		long cur = f.alloc(32);
		assertEquals(0, f.call(Syscalls.TIMER_GETTIME, 0, cur));
		assertEquals(10 * MS, f.space.readU64(cur + 24), "next at 60 ms");
		assertEquals(0, f.call(Syscalls.TIMER_DELETE, 0));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.TIMER_DELETE, 0));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.TIMER_CREATE, 4, 0, id), "CLOCK_MONOTONIC_RAW has no timers");
		assertEquals(-Errno.ENOSYS, f.call(Syscalls.TIMER_CREATE, 2, 0, id), "CPU time: not replayable");
		assertEquals(0, f.call(Syscalls.TIMER_CREATE, 0, 0, id));
		assertEquals(1, f.space.readU32(id), "the next id, not a reused one");
	}

	@Test
	void aTimerfdCountsExpirationsAndWakesItsBlockedReader() {
		int fd = (int) f.call(Syscalls.TIMERFD_CREATE, 1, 0);
		assertTrue(fd >= 3);
		assertEquals(-Errno.EINVAL, f.call(Syscalls.TIMERFD_CREATE, 1, 1), "unknown flags");
		assertEquals(0, f.call(Syscalls.TIMERFD_SETTIME, fd, 0, itimerspec(MS, MS), 0));
		GuestThread reader = f.scheduler.spawn(new org.insight.kvm.Regs(), null, 0);
		long buf = f.alloc(8);
		f.callAs(reader, Syscalls.READ, fd, buf, 8);
		assertEquals(ThreadState.IO_WAIT, reader.state());
		at(3_500_000);
		assertEquals(ThreadState.RUNNABLE, reader.state(), "the expiry woke it");
		assertEquals(8, reader.regs().rax);
		assertEquals(3, f.space.readU64(buf), "three periods");
		assertEquals(-Errno.EINVAL, f.call(Syscalls.WRITE, fd, buf, 8), "a timerfd cannot be written");
		long old = f.alloc(32);
		assertEquals(0, f.call(Syscalls.TIMERFD_SETTIME, fd, 0, itimerspec(0, 0), old));
		assertEquals(MS, f.space.readU64(old + 8), "the old interval");
		assertEquals(500_000, f.space.readU64(old + 24), "0.5 ms left then");
		assertEquals(-Errno.EINVAL, f.call(Syscalls.TIMERFD_SETTIME, 1, 0, itimerspec(0, MS), 0), "stdout");
		assertEquals(0, f.call(Syscalls.CLOSE, fd));
		assertFalse(f.scheduler.timeoutsPending());
	}

	@Test
	void withEveryThreadBlockedTheMachineIdlesUntilTheAlarmWhoseHandlerEndsPause() {
		handle(Signals.SIGALRM);
		f.inputs.idleStep = 100 * MS;
		assertEquals(0, f.call(Syscalls.ALARM, 1));
		f.call(SignalWaits.PAUSE);
		assertTrue(f.main().isBlocked());
		Decision d = f.scheduler.afterSyscall(SignalWaits.PAUSE, new long[6]);
		assertInstanceOf(Decision.Run.class, d, "not a deadlock: the alarm will come");
		assertFalse(f.main().isBlocked(), "SIGALRM ended pause");
		assertTrue(f.inputs.questions.stream().anyMatch(q -> q instanceof org.insight.vmm.inputs.IdleWait w
				&& w.deadlineNanos() == 2 * SECOND), f.inputs.questions.toString());
	}
}
