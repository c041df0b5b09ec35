package org.insight.vmm.sched;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

import org.insight.kvm.Regs;
import org.insight.vmm.inputs.ClockRead;
import org.insight.vmm.inputs.GuestInputs;
import org.insight.vmm.inputs.IdleWait;
import org.insight.vmm.inputs.Landmark;
import org.insight.vmm.inputs.Preemption;
import org.insight.vmm.inputs.SyncPoint;

/**
 * The guest's threads, their futex queues and timeouts, and the decisions of which thread runs on the single vCPU.
 * <p>
 * Threads switch only at sync points (after a syscall, and before a lock call in {@code --mode locks}) and at
 * watchdog kicks the inputs accept. Every decision, and
 * every clock read a timeout needs, is a question to {@link GuestInputs}, so a recording of the inputs fixes the
 * interleaving. Timeouts are deadlines on the guest's CLOCK_MONOTONIC, checked at each sync point where one is
 * pending; when every live thread is blocked the scheduler idles until the earliest deadline, or reports a deadlock
 * when there is none. A deadlock among some threads is reported as soon as it closes, while others still run: when a
 * thread blocks without a timeout on a mutex, the owners of the mutexes ({@link MutexOwners}) are followed from it, and
 * when they lead back to it through threads that are blocked so too, that wait-for cycle is the deadlock. The check is
 * made at that sync point, before any input is asked for, from guest memory and earlier sync points alone, so a replay
 * ends at the same point.
 * <p>
 * Not thread-safe: the vCPU thread owns it.
 */
public final class Scheduler {
	/** The tid of the first thread, which is also the process id. */
	public static final int FIRST_TID = 1000;

	private final GuestInputs inputs;
	private final int maxThreads;
	private final BooleanSupplier stopRequested;
	private final TreeMap<Integer, GuestThread> live = new TreeMap<>();
	/** The blocked threads that have a deadline, in tid order (timeouts expire in a deterministic order). */
	private final TreeMap<Integer, GuestThread> timed = new TreeMap<>();
	private final FutexTable futexes = new FutexTable();
	private MutexOwners mutexes = MutexOwners.NONE;
	private Alarms alarms = Alarms.NONE;
	private int nextTid = FIRST_TID;
	private GuestThread current;
	private boolean yieldRequested;
	private int leaderExitCode;
	private long created;
	private long idleWaits;
	private long timeoutsExpired;

	/**
	 * @param maxThreads    how many threads may be alive at once (clone beyond it fails with EAGAIN)
	 * @param stopRequested polled while the machine idles, so a stop request or a wall-clock limit ends the wait
	 */
	public Scheduler(GuestInputs inputs, int maxThreads, BooleanSupplier stopRequested) {
		if (maxThreads < 1) {
			throw new IllegalArgumentException("thread limit " + maxThreads + " < 1");
		}
		this.inputs = Objects.requireNonNull(inputs, "inputs");
		this.maxThreads = maxThreads;
		this.stopRequested = Objects.requireNonNull(stopRequested, "stopRequested");
	}

	/** Where the owners of the guest's mutexes come from, for deadlocks among some threads (none by default). */
	public Scheduler mutexOwners(MutexOwners owners) {
		this.mutexes = Objects.requireNonNull(owners, "owners");
		return this;
	}

	/** The process's timers, which expire where timeouts do (none by default). */
	public Scheduler alarms(Alarms timers) {
		this.alarms = Objects.requireNonNull(timers, "timers");
		return this;
	}

	/** Creates the first thread, which becomes the current one. */
	public GuestThread start(Regs regs) {
		if (nextTid != FIRST_TID) {
			throw new IllegalStateException("the scheduler was already started");
		}
		current = spawn(regs, null, 0);
		return current;
	}

	public int pid() {
		return FIRST_TID;
	}

	/** The thread on the vCPU (or, after its sync point, the one that last ran). */
	public GuestThread current() {
		return current;
	}

	public Optional<GuestThread> find(int tid) {
		return Optional.ofNullable(live.get(tid));
	}

	/** The live threads in tid order. */
	public Collection<GuestThread> liveThreads() {
		return List.copyOf(live.values());
	}

	public int liveCount() {
		return live.size();
	}

	public int maxThreads() {
		return maxThreads;
	}

	public boolean atThreadLimit() {
		return live.size() >= maxThreads;
	}

	/** The tid the next {@link #spawn} will give. */
	public int nextTid() {
		return nextTid;
	}

	/** How many threads were created in all. */
	public long created() {
		return created;
	}

	/** A new runnable thread. Callers check {@link #atThreadLimit()} first. */
	public GuestThread spawn(Regs regs, byte[] xsave, long fsBase) {
		if (atThreadLimit()) {
			throw new IllegalStateException("thread limit " + maxThreads + " reached");
		}
		GuestThread t = new GuestThread(nextTid++, regs, xsave, fsBase);
		live.put(t.tid(), t);
		created++;
		return t;
	}

	/** Blocks {@code t} on the futex word at {@code address} until a wake with a matching bitset or the deadline. */
	public void waitOnFutex(GuestThread t, long address, int bitset, long deadline, long timeoutResult) {
		requireRunnable(t, "futex wait");
		t.state(ThreadState.FUTEX_WAIT);
		t.futexAddress(address);
		t.futexBitset(bitset);
		futexes.enqueue(t, address);
		block(t, deadline, timeoutResult);
	}

	/** Wakes up to {@code max} waiters on {@code address} whose bitset meets {@code bitset}, oldest first. */
	public int wakeFutex(long address, int max, int bitset) {
		List<GuestThread> woken = futexes.take(address, max, bitset);
		for (GuestThread t : woken) {
			wake(t, 0);
		}
		return woken.size();
	}

	/** Takes {@code t}, a futex waiter, off its queue and wakes it with {@code result} (a PI futex's hand-over). */
	public void wakeFutexWaiter(GuestThread t, long result) {
		if (t.state() != ThreadState.FUTEX_WAIT) {
			throw new IllegalStateException("thread " + t.tid() + " does not wait on a futex: " + t.state());
		}
		futexes.remove(t);
		wake(t, result);
	}

	/** Wakes up to {@code maxWake} waiters on {@code from} and moves up to {@code maxMove} others to {@code to}. */
	public int requeueFutex(long from, long to, int maxWake, int maxMove) {
		int woken = wakeFutex(from, maxWake, -1);
		return woken + futexes.move(from, to, maxMove);
	}

	/** The threads waiting on {@code address}, oldest first. */
	public List<GuestThread> futexWaiters(long address) {
		return futexes.waiters(address);
	}

	/**
	 * Blocks {@code t} on a descriptor until someone's {@link #retryIo} completes its call, or until {@code deadline}
	 * (then RAX is {@code timeoutResult}). A thread blocked this way without a deadline counts as blocked for the
	 * deadlock detector, as a futex waiter does.
	 */
	public void waitForIo(GuestThread t, IoWait wait, long deadline, long timeoutResult) {
		requireRunnable(t, "I/O wait");
		t.state(ThreadState.IO_WAIT);
		t.ioWait(Objects.requireNonNull(wait, "wait"));
		block(t, deadline, timeoutResult);
	}

	/**
	 * Retries the call {@code t} is blocked in (a no-op unless it is in {@link ThreadState#IO_WAIT}); true when it
	 * completed and {@code t} is runnable again, with the call's result in RAX.
	 */
	public boolean retryIo(GuestThread t) {
		if (t.state() != ThreadState.IO_WAIT) {
			return false;
		}
		long result = t.ioWait().retry();
		if (result == IoWait.NOT_READY || t.state() != ThreadState.IO_WAIT) {
			return false;
		}
		endIoWait(t);
		wake(t, result);
		return true;
	}

	/**
	 * A signal ends {@code t}'s wait (a futex wait, a sleep or an I/O wait) before it completes: it leaves its queue or
	 * wait lists and becomes runnable with RAX = {@code result}, as a wake would make it.
	 */
	public void interrupt(GuestThread t, long result) {
		switch (t.state()) {
		case FUTEX_WAIT -> futexes.remove(t);
		case IO_WAIT -> endIoWait(t);
		case SLEEP -> {
		}
		default -> throw new IllegalStateException("thread " + t.tid() + " is not blocked: " + t.state());
		}
		wake(t, result);
	}

	private static void endIoWait(GuestThread t) {
		IoWait w = t.ioWait();
		t.ioWait(null);
		w.cancel();
	}

	/** Blocks {@code t} until {@code deadline} on the guest's monotonic clock; RAX is 0 when it wakes. */
	public void sleep(GuestThread t, long deadline) {
		requireRunnable(t, "sleep");
		if (deadline == GuestThread.NO_DEADLINE) {
			throw new IllegalArgumentException("a sleep needs a deadline");
		}
		t.state(ThreadState.SLEEP);
		block(t, deadline, 0);
	}

	/** {@code t} offers the vCPU to another thread at its sync point. */
	public void yield(GuestThread t) {
		requireRunnable(t, "yield");
		yieldRequested = true;
	}

	/** {@code t} exits with {@code code}; the first thread's code is the process's exit status if it ends last. */
	public void exit(GuestThread t, int code) {
		if (t.state() == ThreadState.DEAD) {
			throw new IllegalStateException("thread " + t.tid() + " exits twice");
		}
		if (t.state() == ThreadState.FUTEX_WAIT) {
			futexes.remove(t);
		} else if (t.state() == ThreadState.IO_WAIT) {
			endIoWait(t);
		}
		timed.remove(t.tid());
		mutexes.exited(t.tid());
		t.state(ThreadState.DEAD);
		t.exitCode(code);
		if (t.tid() == FIRST_TID) {
			leaderExitCode = code;
		}
		live.remove(t.tid());
	}

	/** The exit code of the first thread, the process's status when every thread ended with {@code exit}. */
	public int leaderExitCode() {
		return leaderExitCode;
	}

	/** The guest's CLOCK_MONOTONIC now, read for a timeout on behalf of the current thread. */
	public long monotonicNow() {
		return clockNow(ClockRead.CLOCK_MONOTONIC);
	}

	/** A guest clock now, read for a timeout on behalf of the current thread. */
	public long clockNow(int clockId) {
		return inputs.clockNanos(new ClockRead(current.tid(), clockId, ClockRead.Purpose.TIMEOUT));
	}

	/**
	 * The current thread reached a sync point after syscall {@code nr}: decides who runs next. The kind of the sync
	 * point follows from what the syscall did to the thread (blocked, exited, yielded, or nothing).
	 */
	public Decision afterSyscall(int nr, long[] args) {
		GuestThread t = current;
		SyncPoint.Kind kind = switch (t.state()) {
		case DEAD -> SyncPoint.Kind.EXITED;
		case FUTEX_WAIT, SLEEP, IO_WAIT -> SyncPoint.Kind.BLOCKED;
		case RUNNABLE -> yieldRequested ? SyncPoint.Kind.YIELD : SyncPoint.Kind.SYSCALL;
		};
		yieldRequested = false;
		return decide(new SyncPoint(t.tid(), t.nextSyncIndex(), kind, nr, args));
	}

	/**
	 * A watchdog kick stopped the current thread at {@code landmark}. If the inputs preempt it there, the place
	 * becomes a sync point; otherwise the thread goes on.
	 */
	public Decision afterKick(Landmark landmark) {
		GuestThread t = current;
		List<Integer> others = runnableTids();
		others.remove(Integer.valueOf(t.tid()));
		if (!inputs.preempt(new Preemption(t.tid(), t.syncPoints(), landmark, timeoutsPending()), others)) {
			return new Decision.Run(t, false, null);
		}
		return decide(new SyncPoint(t.tid(), t.nextSyncIndex(), SyncPoint.Kind.PREEMPTED, -1, new long[0]));
	}

	/**
	 * Thread {@code t} called lock function {@code f} on {@code lock} ({@code --mode locks}), whether or not the call
	 * was a sync point: the mutexes' owners follow every call ({@link LockCallHolds}). The thread is named, not taken
	 * as the current one: the machine may learn of the calls only after a decision has made another thread current.
	 */
	public void lockCalled(GuestThread t, LockFunction f, long lock) {
		mutexes.lockCall(t, f, lock);
	}

	/**
	 * The current thread is about to call lock function {@code f} on {@code lock} ({@code --mode locks}), and the
	 * lock-call countdown ran out: a sync point where it may be switched out, holding whatever locks it holds. The call
	 * was given to {@link #lockCalled} already.
	 */
	public Decision atLockCall(LockFunction f, long lock) {
		GuestThread t = current;
		requireRunnable(t, "lock call");
		return decide(SyncPoint.lockCall(t.tid(), t.nextSyncIndex(), f.name(), f.address(), lock));
	}

	private Decision decide(SyncPoint point) {
		GuestThread before = current;
		if (point.kind() == SyncPoint.Kind.BLOCKED) {
			List<MutexWait> cycle = waitCycle(current);
			if (!cycle.isEmpty()) {
				List<GuestThread> inCycle = cycle.stream().map(w -> live.get(w.waiter())).toList();
				List<GuestThread> others = live.values().stream().filter(t -> !inCycle.contains(t)).toList();
				return new Decision.Deadlocked(inCycle, cycle, others);
			}
		}
		for (;;) {
			expireTimeouts(point.tid());
			if (alarms.ended()) {
				return new Decision.Ended();
			}
			List<Integer> runnable = runnableTids();
			if (!runnable.isEmpty()) {
				int tid = inputs.schedule(point, runnable);
				GuestThread next = live.get(tid);
				if (next == null || next.state() != ThreadState.RUNNABLE) {
					throw new ScheduleException("scheduling at " + point.describe() + ": the inputs chose thread "
							+ tid + ", which is not runnable (runnable: " + runnable + ")");
				}
				current = next;
				return new Decision.Run(next, next != before, point.kind());
			}
			if (live.isEmpty()) {
				return new Decision.AllExited();
			}
			if (!timeoutsPending()) {
				return new Decision.Deadlocked(List.copyOf(live.values()));
			}
			if (stopRequested.getAsBoolean()) {
				return new Decision.Stopped();
			}
			GuestThread first = earliestDeadline();
			long alarm = alarms.nextDeadline();
			if (first == null || alarm < first.deadline()) {
				// a timer of the process's: asked on behalf of the thread at this sync point
				inputs.idle(new IdleWait(point.tid(), alarm));
			} else {
				inputs.idle(new IdleWait(first.tid(), first.deadline()));
			}
			idleWaits++;
		}
	}

	/**
	 * The wait-for cycle that {@code first} closes by blocking: from it, each thread waits for a mutex whose owner is
	 * blocked without a timeout too, back to {@code first}. Empty when the owners lead elsewhere or are not known.
	 */
	private List<MutexWait> waitCycle(GuestThread first) {
		if (!stuck(first.tid())) {
			return List.of();
		}
		List<MutexWait> path = new ArrayList<>();
		GuestThread at = first;
		while (path.size() < live.size()) {
			Optional<MutexWait> w = mutexes.waitOf(at, this::stuck);
			if (w.isEmpty()) {
				return List.of();
			}
			path.add(w.get());
			int owner = w.get().owner();
			if (owner == first.tid()) {
				return path;
			}
			if (!stuck(owner) || path.stream().anyMatch(p -> p.waiter() == owner)) {
				return List.of(); // a running owner, or a cycle that does not pass through first (found when it closed)
			}
			at = live.get(owner);
		}
		return List.of();
	}

	/** Whether {@code tid} is a live thread blocked in a futex wait without a timeout. */
	private boolean stuck(int tid) {
		GuestThread t = live.get(tid);
		return t != null && t.state() == ThreadState.FUTEX_WAIT && !t.hasDeadline();
	}

	private void expireTimeouts(int asker) {
		if (!timeoutsPending()) {
			return;
		}
		long now = inputs.clockNanos(new ClockRead(asker, ClockRead.CLOCK_MONOTONIC, ClockRead.Purpose.TIMEOUT));
		// the process's timers first: an expiry may wake a thread (a signal, a timerfd), which then runs here
		if (alarms.nextDeadline() <= now) {
			alarms.expire(now);
		}
		for (GuestThread t : new ArrayList<>(timed.values())) {
			if (t.deadline() <= now) {
				if (t.state() == ThreadState.FUTEX_WAIT) {
					futexes.remove(t);
				} else if (t.state() == ThreadState.IO_WAIT) {
					endIoWait(t);
				}
				wake(t, t.timeoutResult());
				timeoutsExpired++;
			}
		}
	}

	private GuestThread earliestDeadline() {
		GuestThread first = null;
		for (GuestThread t : timed.values()) {
			if (first == null || t.deadline() < first.deadline()) {
				first = t;
			}
		}
		return first;
	}

	/** The tids of the runnable threads, sorted. A new list each time. */
	public List<Integer> runnableTids() {
		List<Integer> tids = new ArrayList<>();
		for (GuestThread t : live.values()) {
			if (t.state() == ThreadState.RUNNABLE) {
				tids.add(t.tid());
			}
		}
		return tids;
	}

	/** Whether some blocked thread waits with a deadline, or a timer of the process's is armed. */
	public boolean timeoutsPending() {
		return !timed.isEmpty() || alarms.armed();
	}

	public long idleWaits() {
		return idleWaits;
	}

	public long timeoutsExpired() {
		return timeoutsExpired;
	}

	private void block(GuestThread t, long deadline, long timeoutResult) {
		t.deadline(deadline);
		t.timeoutResult(timeoutResult);
		if (deadline != GuestThread.NO_DEADLINE) {
			timed.put(t.tid(), t);
		}
	}

	private void wake(GuestThread t, long result) {
		t.state(ThreadState.RUNNABLE);
		t.deadline(GuestThread.NO_DEADLINE);
		timed.remove(t.tid());
		t.regs().rax = result;
	}

	private static void requireRunnable(GuestThread t, String what) {
		if (t.state() != ThreadState.RUNNABLE) {
			throw new IllegalStateException(what + " by thread " + t.tid() + ", which is " + t.state());
		}
	}
}
