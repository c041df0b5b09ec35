package org.insight.vmm.linux;

import java.util.List;
import java.util.function.LongSupplier;

import org.insight.vmm.linux.fd.WaitList;
import org.insight.vmm.memory.GuestFault;
import org.insight.vmm.memory.GuestOutOfMemoryException;
import org.insight.vmm.sched.GuestThread;
import org.insight.vmm.sched.IoWait;

/**
 * A descriptor call that may block (a pipe or eventfd read or write, a poll), run so that blocking is exact: the call
 * is tried; if it cannot complete, its thread waits on the objects' {@link WaitList}s and the same attempt is retried
 * on its behalf, oldest waiter first, after each change to one of them. Everything here is a function of guest
 * state, so record and replay retry the same calls in the same order and need no input of their own.
 */
final class BlockedCall implements IoWait {
	/** One try of the call: its result, or {@link IoWait#NOT_READY}. It may throw {@link GuestFault}. */
	@FunctionalInterface
	interface Attempt {
		long attempt();
	}

	private final LinuxProcess process;
	private final GuestThread thread;
	private final String what;
	private final List<WaitList> lists;

	private final Attempt attempt;
	/** What the call has done already (the bytes a partial write moved); a signal then ends it with that result. */
	private final LongSupplier progress;
	/** The attempt runs on the thread's behalf now: a signal it raises (SIGPIPE) does not interrupt it. */
	private boolean retrying;

	private BlockedCall(LinuxProcess process, GuestThread thread, String what, List<WaitList> lists, Attempt attempt,
			LongSupplier progress) {
		this.process = process;
		this.thread = thread;
		this.what = what;
		this.lists = lists;
		this.attempt = attempt;
		this.progress = progress;
	}

	/** The call {@code t} is blocked in, or null if it is not blocked in one. */
	static BlockedCall of(GuestThread t) {
		return t.ioWait() instanceof BlockedCall c ? c : null;
	}

	/** Whether a signal may end the call now: not while its own retry runs. */
	boolean interruptible() {
		return !retrying;
	}

	/** What a signal ending the call returns instead of restarting it: the bytes moved so far; 0 if none. */
	long progress() {
		return progress.getAsLong();
	}

	/**
	 * Runs {@code attempt} for {@code t}; if it is not ready, blocks {@code t} on {@code lists} until a retry
	 * completes it or {@code deadline} passes (RAX is then {@code timeoutResult}). Returns what the syscall handler
	 * returns: the result, or, for a blocked thread, 0 (the wake sets RAX).
	 */
	static long run(LinuxProcess p, GuestThread t, String what, List<WaitList> lists, long deadline,
			long timeoutResult, Attempt attempt) {
		return run(p, t, what, lists, () -> deadline, timeoutResult, attempt);
	}

	/** {@link #run} with a deadline computed only if the thread blocks (a timeout reads the clock, an input). */
	static long run(LinuxProcess p, GuestThread t, String what, List<WaitList> lists, LongSupplier deadline,
			long timeoutResult, Attempt attempt) {
		return run(p, t, what, lists, deadline, timeoutResult, attempt, () -> 0);
	}

	/** {@link #run} for a call that may end part done: {@code progress} says how much it did (a write's bytes). */
	static long run(LinuxProcess p, GuestThread t, String what, List<WaitList> lists, LongSupplier deadline,
			long timeoutResult, Attempt attempt, LongSupplier progress) {
		long[] before = changes(lists);
		long r = attempt.attempt();
		if (r != NOT_READY) {
			if (!java.util.Arrays.equals(before, changes(lists))) {
				retryWaiters(lists);
			}
			return r;
		}
		for (WaitList l : lists) {
			l.add(t);
		}
		long until = deadline.getAsLong();
		p.scheduler().waitForIo(t, new BlockedCall(p, t, what, new java.util.ArrayList<>(lists), attempt,
				progress), until, timeoutResult);
		// The attempt may have moved bytes (a partial write) that another waiter now gets on with, which may in turn
		// let this one finish: then it is runnable again here, and its result is already in RAX.
		retryWaiters(lists);
		return t.isBlocked() ? 0 : t.regs().rax;
	}

	/** Retries the waiters of {@code lists}, oldest first, until a whole pass completes and changes nothing. */
	static void retryWaiters(List<WaitList> lists) {
		for (WaitList l : lists) {
			retryWaiters(l);
		}
	}

	static void retryWaiters(WaitList list) {
		boolean again = true;
		while (again) {
			long before = list.changes();
			boolean completed = false;
			for (GuestThread w : list.snapshot()) {
				BlockedCall call = (BlockedCall) w.ioWait();
				if (call != null && call.process.scheduler().retryIo(w)) {
					completed = true;
				}
			}
			again = completed || list.changes() != before;
		}
	}

	private static long[] changes(List<WaitList> lists) {
		long[] c = new long[lists.size()];
		for (int i = 0; i < c.length; i++) {
			c[i] = lists.get(i).changes();
		}
		return c;
	}

	@Override
	public long retry() {
		retrying = true;
		try {
			return attempt.attempt();
		} catch (GuestFault f) {
			return -Errno.EFAULT;
		} catch (GuestOutOfMemoryException e) {
			process.kill(Signals.SIGKILL, SyscallTable.OUT_OF_GUEST_MEMORY + " in " + what + ": " + e.getMessage());
			return -Errno.ENOMEM;
		} finally {
			retrying = false;
		}
	}

	/** The blocked thread waits on {@code list} too from now on (an epoll_ctl added a file to its epoll). */
	void join(WaitList list) {
		if (!lists.contains(list)) {
			lists.add(list);
			list.add(thread);
		}
	}

	@Override
	public void cancel() {
		for (WaitList l : lists) {
			l.remove(thread);
		}
	}

	@Override
	public String describe() {
		return what;
	}
}
