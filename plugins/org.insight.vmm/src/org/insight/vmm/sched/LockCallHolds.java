package org.insight.vmm.sched;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import org.insight.vmm.sched.LockFunction.LockAction;
import org.insight.vmm.sched.LockFunction.LockObject;

/**
 * Which thread holds which mutex, as far as the entries of the lock calls tell ({@code --mode locks} stops at every
 * entry, never at a return): a thread that entered {@code pthread_mutex_lock(m)} and has since entered another lock
 * function on another object returned from that call, so it took {@code m} (a plain lock call cannot fail without an
 * error-checking mutex, whose owner the lock word gives anyway), until some thread enters
 * {@code pthread_mutex_unlock(m)}. A trylock or timed lock may have failed, so it gives nothing: a holder missed so is
 * a cycle not found early (the run still ends when every thread blocks), never a false one. Musl's normal mutexes need
 * this: their lock word says "taken", not by whom.
 * <p>
 * A function that calls another on the same mutex (musl's {@code pthread_mutex_lock} tail-calls
 * {@code pthread_mutex_timedlock}, which calls {@code pthread_mutex_trylock}) is one call. Deterministic: it is told of the calls in their order at
 * sync points (the lock stubs' ring is drained there), so it is the same at every sync point of a recording and its
 * replay.
 */
public final class LockCallHolds {
	/** A thread's lock call on a mutex that has not been seen to return yet. */
	private record Pending(long mutex, boolean takes) {
	}

	private final Map<Integer, Pending> pending = new HashMap<>();
	private final Map<Long, Integer> holder = new HashMap<>();
	private final Map<Integer, Set<Long>> held = new HashMap<>();

	/** Thread {@code tid} enters {@code f} on {@code lock}. */
	public void lockCall(int tid, LockFunction f, long lock) {
		Pending p = pending.get(tid);
		boolean sameMutex = p != null && p.mutex() == lock && f.object() == LockObject.MUTEX
				&& (f.action() == LockAction.ACQUIRE || f.action() == LockAction.TRY_ACQUIRE);
		if (sameMutex) {
			// The inner part of one lock call (musl: pthread_mutex_lock -> pthread_mutex_timedlock ->
			// pthread_mutex_trylock, all on the same mutex), or a lock after a failed trylock: still one acquisition.
			if (!p.takes() && takes(f)) {
				pending.put(tid, new Pending(lock, true));
			}
			return;
		}
		if (p != null && p.takes()) {
			take(tid, p.mutex());
		}
		pending.remove(tid);
		if (f.object() != LockObject.MUTEX) {
			return;
		}
		switch (f.action()) {
		case ACQUIRE -> pending.put(tid, new Pending(lock, takes(f)));
		case TRY_ACQUIRE -> pending.put(tid, new Pending(lock, false));
		case RELEASE -> release(lock);
		default -> {
		}
		}
	}

	/** Whether a return from {@code f} means the mutex was taken: a plain lock, which cannot time out or give up. */
	private static boolean takes(LockFunction f) {
		return f.name().equals("pthread_mutex_lock");
	}

	/** The mutex lock call {@code tid} is inside (entered, not yet seen to return). */
	public Optional<Long> pendingMutex(int tid) {
		Pending p = pending.get(tid);
		return p == null ? Optional.empty() : Optional.of(p.mutex());
	}

	/** The thread that holds {@code mutex} by its lock calls. */
	public OptionalInt holder(long mutex) {
		Integer t = holder.get(mutex);
		return t == null ? OptionalInt.empty() : OptionalInt.of(t);
	}

	/** Thread {@code tid} exited: what it held stays taken, by no live thread this can name. */
	public void exited(int tid) {
		pending.remove(tid);
		Set<Long> mine = held.remove(tid);
		if (mine != null) {
			for (long m : mine) {
				holder.remove(m);
			}
		}
	}

	private void take(int tid, long mutex) {
		release(mutex); // a second taker means the first let it go unseen (a condition wait inside libc)
		holder.put(mutex, tid);
		held.computeIfAbsent(tid, k -> new LinkedHashSet<>()).add(mutex);
	}

	private void release(long mutex) {
		Integer was = holder.remove(mutex);
		if (was != null) {
			held.get(was).remove(mutex);
		}
	}
}
