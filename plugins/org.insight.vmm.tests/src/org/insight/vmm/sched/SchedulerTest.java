package org.insight.vmm.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.insight.kvm.Regs;
import org.insight.vmm.inputs.ClockRead;
import org.insight.vmm.inputs.IdleWait;
import org.insight.vmm.inputs.Landmark;
import org.insight.vmm.inputs.Preemption;
import org.insight.vmm.inputs.ScriptedInputs;
import org.insight.vmm.inputs.SyncPoint;
import org.junit.jupiter.api.Test;

class SchedulerTest {
	private final ScriptedInputs inputs = new ScriptedInputs();
	private boolean stop;
	private final Scheduler s = new Scheduler(inputs, 8, () -> stop);
	private final GuestThread main = s.start(new Regs());

	private static final long[] ARGS = { 1, 2, 3, 4, 5, 6 };

	private GuestThread spawn() {
		return s.spawn(new Regs(), new byte[] { 9 }, 0x1000);
	}

	@Test
	void everySyncPointIsAQuestionWithTheRunnableThreads() {
		GuestThread t = spawn();
		Decision d = s.afterSyscall(39, ARGS);
		assertEquals(new Decision.Run(main, false, SyncPoint.Kind.SYSCALL), d);
		SyncPoint p = inputs.syncPoints().get(0);
		assertEquals(new SyncPoint(1000, 0, SyncPoint.Kind.SYSCALL, 39, ARGS), p);
		inputs.schedule = (point, runnable) -> {
			assertEquals(List.of(1000, 1001), runnable);
			return 1001;
		};
		Decision e = s.afterSyscall(24, ARGS);
		assertEquals(new Decision.Run(t, true, SyncPoint.Kind.SYSCALL), e);
		assertSame(t, s.current());
		assertEquals(1, inputs.syncPoints().get(1).index(), "the second sync point of thread 1000");
		inputs.schedule = (point, runnable) -> point.tid();
		s.afterSyscall(1, ARGS);
		assertEquals(new SyncPoint(1001, 0, SyncPoint.Kind.SYSCALL, 1, ARGS), inputs.syncPoints().get(2),
				"indices count per thread");
	}

	@Test
	void theKindSaysWhatTheSyscallDidToTheThread() {
		GuestThread t = spawn();
		s.yield(main);
		s.afterSyscall(24, ARGS);
		assertEquals(SyncPoint.Kind.YIELD, inputs.syncPoints().get(0).kind());
		assertSame(t, s.current(), "yield hands over");
		s.waitOnFutex(t, 0x5000, -1, GuestThread.NO_DEADLINE, -110);
		s.afterSyscall(202, ARGS);
		assertEquals(SyncPoint.Kind.BLOCKED, inputs.syncPoints().get(1).kind());
		assertSame(main, s.current());
		s.wakeFutex(0x5000, 1, -1);
		s.exit(main, 0);
		s.afterSyscall(60, ARGS);
		assertEquals(new SyncPoint(1000, 1, SyncPoint.Kind.EXITED, 60, ARGS), inputs.syncPoints().get(2));
		assertSame(t, s.current());
	}

	@Test
	void aDecisionForAThreadThatCannotRunIsRefused() {
		GuestThread t = spawn();
		s.waitOnFutex(t, 0x5000, -1, GuestThread.NO_DEADLINE, -110);
		inputs.schedule = (point, runnable) -> 1001;
		ScheduleException e = assertThrows(ScheduleException.class, () -> s.afterSyscall(39, ARGS));
		assertTrue(e.getMessage().contains("thread 1001, which is not runnable (runnable: [1000])"), e.getMessage());
	}

	@Test
	void timeoutsAreCheckedOnlyWhileSomeArePendingAndExpireInTidOrder() {
		s.afterSyscall(39, ARGS);
		assertTrue(inputs.asked(ClockRead.class).isEmpty(), "no timeout: no clock read");
		GuestThread a = spawn();
		GuestThread b = spawn();
		inputs.monotonic = 100;
		s.sleep(b, 150);
		s.waitOnFutex(a, 0x6000, -1, 150, -110);
		s.afterSyscall(39, ARGS);
		assertEquals(List.of(new ClockRead(1000, ClockRead.CLOCK_MONOTONIC, ClockRead.Purpose.TIMEOUT)),
				inputs.asked(ClockRead.class));
		assertTrue(a.isBlocked() && b.isBlocked());
		inputs.monotonic = 150;
		s.afterSyscall(39, ARGS);
		assertFalse(a.isBlocked() || b.isBlocked());
		assertEquals(-110, a.regs().rax, "a futex wait times out with -ETIMEDOUT");
		assertEquals(0, b.regs().rax, "a sleep ends with 0");
		assertFalse(s.timeoutsPending());
		assertTrue(s.futexWaiters(0x6000).isEmpty());
	}

	@Test
	void withEveryThreadAsleepTheMachineIdlesUntilTheEarliestDeadline() {
		GuestThread t = spawn();
		inputs.monotonic = 0;
		inputs.idleStep = 400;
		s.sleep(t, 1_000);
		s.sleep(main, 700);
		Decision d = s.afterSyscall(35, ARGS);
		assertEquals(new Decision.Run(main, false, SyncPoint.Kind.BLOCKED), d);
		List<IdleWait> waits = inputs.asked(IdleWait.class);
		assertEquals(List.of(new IdleWait(1000, 700), new IdleWait(1000, 700)), waits,
				"idle, read the clock, idle again until 700 has passed");
		assertEquals(2, s.idleWaits());
		assertTrue(t.isBlocked());
	}

	@Test
	void allBlockedWithoutATimeoutIsADeadlock() {
		GuestThread t = spawn();
		s.waitOnFutex(t, 0x7000, -1, GuestThread.NO_DEADLINE, -110);
		s.waitOnFutex(main, 0x7004, -1, GuestThread.NO_DEADLINE, -110);
		Decision d = s.afterSyscall(202, ARGS);
		Decision.Deadlocked dl = assertInstanceOf(Decision.Deadlocked.class, d);
		assertEquals(List.of(main, t), dl.blocked());
		assertTrue(inputs.asked(IdleWait.class).isEmpty());
	}

	/** Owners by futex word: the thread blocked on word w waits for the mutex at w, held by owners.get(w). */
	private static MutexOwners ownersByWord(java.util.Map<Long, Integer> owners) {
		return (t, stuck) -> java.util.Optional.ofNullable(owners.get(t.futexAddress()))
				.map(o -> new MutexWait(t.tid(), t.futexAddress(), o));
	}

	@Test
	void aWaitForCycleIsADeadlockWhenItClosesWhileAnotherThreadSleeps() {
		GuestThread a = spawn();
		GuestThread b = spawn();
		s.mutexOwners(ownersByWord(java.util.Map.of(0x7000L, 1002, 0x7008L, 1001)));
		s.sleep(main, 5_000_000_000L); // main polls: it sleeps, with a deadline, and wakes again and again
		inputs.schedule = (point, runnable) -> runnable.get(0);
		assertInstanceOf(Decision.Run.class, s.afterSyscall(35, ARGS));
		assertSame(a, s.current());
		s.waitOnFutex(a, 0x7000, -1, GuestThread.NO_DEADLINE, -110);
		assertInstanceOf(Decision.Run.class, s.afterSyscall(202, ARGS), "b still runs: no cycle yet");
		assertSame(b, s.current());
		int asked = inputs.syncPoints().size();
		int clockReads = inputs.asked(ClockRead.class).size();
		s.waitOnFutex(b, 0x7008, -1, GuestThread.NO_DEADLINE, -110);
		Decision d = s.afterSyscall(202, ARGS);
		Decision.Deadlocked dl = assertInstanceOf(Decision.Deadlocked.class, d);
		assertEquals(List.of(b, a), dl.blocked(), "the cycle from the thread that closed it");
		assertEquals(List.of(new MutexWait(1002, 0x7008, 1001), new MutexWait(1001, 0x7000, 1002)), dl.cycle());
		assertEquals(List.of(main), dl.others());
		assertEquals(asked, inputs.syncPoints().size(), "decided before any input was asked for");
		assertEquals(clockReads, inputs.asked(ClockRead.class).size(), "no clock read for the cycle");
	}

	@Test
	void aThreadThatRelocksItsOwnMutexIsACycleOfOne() {
		spawn();
		s.mutexOwners(ownersByWord(java.util.Map.of(0x7000L, 1000)));
		s.waitOnFutex(main, 0x7000, -1, GuestThread.NO_DEADLINE, -110);
		Decision.Deadlocked dl = assertInstanceOf(Decision.Deadlocked.class, s.afterSyscall(202, ARGS));
		assertEquals(List.of(new MutexWait(1000, 0x7000, 1000)), dl.cycle());
		assertEquals(1, dl.others().size());
	}

	@Test
	void anOwnerThatRunsOrWaitsWithATimeoutClosesNoCycle() {
		GuestThread a = spawn();
		s.mutexOwners(ownersByWord(java.util.Map.of(0x7008L, 1001, 0x7108L, 1000)));
		s.waitOnFutex(a, 0x7108, -1, 5_000_000_000L, -110); // a waits for main's mutex, with a timeout
		s.waitOnFutex(main, 0x7008, -1, GuestThread.NO_DEADLINE, -110);
		inputs.schedule = (point, runnable) -> runnable.get(0);
		Decision d = s.afterSyscall(202, ARGS);
		assertFalse(d instanceof Decision.Deadlocked dl && !dl.cycle().isEmpty(), d.toString());
	}

	@Test
	void aStopEndsAnIdleWait() {
		s.sleep(main, Long.MAX_VALUE - 1);
		inputs.idleStep = 0;
		List<Boolean> polls = new ArrayList<>();
		Scheduler stoppable = new Scheduler(inputs, 2, () -> {
			polls.add(true);
			return polls.size() > 3;
		});
		GuestThread only = stoppable.start(new Regs());
		stoppable.sleep(only, Long.MAX_VALUE - 1);
		assertInstanceOf(Decision.Stopped.class, stoppable.afterSyscall(35, ARGS));
		assertEquals(3, inputs.asked(IdleWait.class).size(), "idled until the fourth poll asked to stop");
		stop = true;
		assertInstanceOf(Decision.Stopped.class, s.afterSyscall(35, ARGS));
	}

	@Test
	void theLastExitLeavesNothingToRun() {
		s.exit(main, 4);
		assertInstanceOf(Decision.AllExited.class, s.afterSyscall(60, ARGS));
		assertEquals(4, s.leaderExitCode());
		assertEquals(0, s.liveCount());
	}

	@Test
	void aKickPreemptsOnlyWhenTheInputsSaySo() {
		Landmark l = new Landmark(new Regs(), 0, 0);
		Decision alone = s.afterKick(l);
		assertEquals(new Decision.Run(main, false, null), alone, "nothing else to run");
		assertEquals(new Preemption(1000, 0, l, false), inputs.asked(Preemption.class).get(0));
		assertTrue(inputs.syncPoints().isEmpty(), "a declined kick is no sync point");
		GuestThread t = spawn();
		Decision d = s.afterKick(l);
		assertEquals(new Decision.Run(t, true, SyncPoint.Kind.PREEMPTED), d);
		assertEquals(new SyncPoint(1000, 0, SyncPoint.Kind.PREEMPTED, -1, new long[0]), inputs.syncPoints().get(0));
		assertEquals(1, main.syncPoints());
	}

	@Test
	void aKickWithATimeoutPendingChecksIt() {
		GuestThread t = spawn();
		inputs.monotonic = 0;
		s.sleep(t, 10);
		inputs.monotonic = 20;
		Decision d = s.afterKick(new Landmark(new Regs(), 0, 0));
		assertTrue(inputs.asked(Preemption.class).get(0).timersPending());
		assertEquals(new Decision.Run(t, true, SyncPoint.Kind.PREEMPTED), d, "the sleeper's time has come");
	}

	@Test
	void threadsAreLimitedAndNumberedInOrder() {
		for (int i = 1; i < 8; i++) {
			assertEquals(1000 + i, spawn().tid());
		}
		assertTrue(s.atThreadLimit());
		assertThrows(IllegalStateException.class, this::spawn);
		assertEquals(8, s.created());
		assertNull(s.find(2000).orElse(null));
		assertThrows(IllegalStateException.class, () -> s.start(new Regs()));
		assertThrows(IllegalArgumentException.class, () -> new Scheduler(inputs, 0, () -> false));
	}

	@Test
	void blockingTwiceIsAMachineBug() {
		s.sleep(main, 5);
		assertThrows(IllegalStateException.class, () -> s.waitOnFutex(main, 0x10, -1, 9, -110));
		s.exit(main, 0);
		assertThrows(IllegalStateException.class, () -> s.exit(main, 0));
	}
}
