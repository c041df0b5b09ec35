package org.insight.analysis.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.insight.analysis.BlockedCall;
import org.insight.analysis.CallStack;
import org.insight.analysis.Event;
import org.insight.kvm.Regs;
import org.insight.symbols.Symbol;
import org.insight.symbols.SymbolTable;
import org.insight.vmm.machine.CodeObserver;
import org.junit.jupiter.api.Test;

/**
 * The lock hooks with counted calls ({@link LockHooks#countingCalls()}): lock, unlock and init come from the machine's
 * ring with no exit, and the events are those the lock order needs, in the order the threads made them.
 */
class LockHooksCountedTest {
	private static final long LOCK = 0x401000;
	private static final long TIMEDLOCK = 0x401100;
	private static final long UNLOCK = 0x401200;
	private static final long TRYLOCK = 0x401300;
	private static final long COND_WAIT = 0x401400;
	private static final long INIT = 0x401500;
	private static final long MAIN = 0x402000;
	/** Return addresses in main. */
	private static final long SITE_A = MAIN + 0x10;
	private static final long SITE_B = MAIN + 0x20;
	private static final long A = 0x600100;
	private static final long B = 0x600140;
	private static final long COND = 0x600180;
	private static final long RSP = 0x7fff_0000L;

	private final List<Event> events = new ArrayList<>();
	private final LockHooks hooks = new LockHooks(SymbolTable.of(List.of(
			new Symbol("pthread_mutex_lock", LOCK, 0x40, true),
			new Symbol("pthread_mutex_timedlock", TIMEDLOCK, 0x40, true),
			new Symbol("pthread_mutex_unlock", UNLOCK, 0x40, true),
			new Symbol("pthread_mutex_trylock", TRYLOCK, 0x40, true),
			new Symbol("pthread_cond_wait", COND_WAIT, 0x40, true),
			new Symbol("pthread_mutex_init", INIT, 0x40, true),
			new Symbol("main", MAIN, 0x100, true))), () -> 7, events::add).countingCalls();
	private final Memory memory = new Memory();

	/** Guest memory as a map of words, and the watches asked for. */
	private static final class Memory implements CodeObserver.Control {
		final Map<Long, Long> words = new HashMap<>();
		final Map<Long, Integer> watched = new HashMap<>();

		@Override
		public void watch(long va) {
			watched.merge(va, 1, Integer::sum);
		}

		@Override
		public void unwatch(long va) {
			watched.merge(va, -1, Integer::sum);
		}

		@Override
		public boolean readable(long va) {
			return words.containsKey(va);
		}

		@Override
		public long readU64(long va) {
			return words.get(va);
		}

		@Override
		public long virtualNanos() {
			return 0;
		}

		@Override
		public long threadVirtualNanos(int tid) {
			return 0;
		}
	}

	private void hit(int tid, long rip, long rdi, long rsp, long ret) {
		memory.words.put(rsp, ret);
		Regs r = new Regs();
		r.rip = rip;
		r.rdi = rdi;
		r.rsp = rsp;
		hooks.hit(tid, rip, r, memory);
	}

	private void returns(int tid, long rip, long rsp, long rax) {
		Regs r = new Regs();
		r.rip = rip;
		r.rsp = rsp;
		r.rax = rax;
		hooks.hit(tid, rip, r, memory);
	}

	private List<String> described() {
		return events.stream().map(e -> switch (e) {
		case Event.LockRequested q -> q.tid() + " request " + Long.toHexString(q.lock().address()) + " " + q.stack();
		case Event.LockAcquired a -> a.tid() + " acquired " + Long.toHexString(a.lock().address()) + " " + a.stack();
		case Event.LockReleased r -> r.tid() + " released " + Long.toHexString(r.lock().address());
		case Event.LockInitialised i -> i.tid() + " init " + Long.toHexString(i.lock().address()) + " " + i.stack();
		case Event.TryFailed t -> t.tid() + " try failed " + Long.toHexString(t.lock().address());
		case Event.ThreadCreated c -> c.tid() + " created " + c.child();
		case Event.ThreadExited x -> x.tid() + " exited";
		case Event.RunEnded r -> "end";
		default -> e.toString();
		}).toList();
	}

	@Test
	void lockUnlockAndInitAreCountedAndTheOthersStillStop() {
		assertTrue(hooks.countable(LOCK));
		assertTrue(hooks.countable(UNLOCK));
		assertTrue(hooks.countable(INIT));
		assertFalse(hooks.countable(TIMEDLOCK), "a timed lock may give up: its return tells");
		assertFalse(hooks.countable(TRYLOCK));
		assertFalse(hooks.countable(COND_WAIT));
		assertFalse(new LockHooks(SymbolTable.of(List.of(new Symbol("pthread_mutex_lock", LOCK, 0x40, true))), () -> 0,
				e -> {
				}).countable(LOCK), "only when asked for");
	}

	@Test
	void aCountedLockIsAcquiredByTheThreadsNextEvent() {
		hooks.called(1, INIT, A, RSP, SITE_A, memory);
		hooks.called(1, LOCK, A, RSP, SITE_A, memory);
		hooks.called(1, LOCK, B, RSP, SITE_B, memory);
		hooks.called(2, LOCK, B, RSP, SITE_B, memory); // waits for B: no event of thread 1 yet
		hooks.called(1, UNLOCK, B, RSP, SITE_B, memory);
		hooks.threadExited(1);
		hooks.runEnded();
		String a = Long.toHexString(A);
		String b = Long.toHexString(B);
		String siteA = CallStack.of(SITE_A).toString();
		String siteB = CallStack.of(SITE_B).toString();
		assertEquals(List.of("1 init " + a + " " + siteA, "1 request " + a + " " + siteA, "1 acquired " + a + " "
				+ siteA, "1 request " + b + " " + siteB, "2 request " + b + " " + siteB, "1 acquired " + b + " " + siteB,
				"1 released " + b, "1 exited", "2 acquired " + b + " " + siteB, "end"), described());
	}

	@Test
	void aCountedLockThatTailCallsAHookedOneIsThatCall() {
		hooks.called(1, LOCK, A, RSP, SITE_A, memory);
		hit(1, TIMEDLOCK, A, RSP, SITE_A); // musl: pthread_mutex_lock jumps to pthread_mutex_timedlock
		assertEquals(1, memory.watched.get(SITE_A), "the call's return is watched");
		returns(1, SITE_A, RSP + 8, 0);
		assertEquals(List.of("1 request " + Long.toHexString(A) + " " + CallStack.of(SITE_A), "1 acquired "
				+ Long.toHexString(A) + " " + CallStack.of(SITE_A)), described());
		assertEquals(0, memory.watched.get(SITE_A));
	}

	@Test
	void countedCallsInsideAHookedCallAreInner() {
		hit(1, COND_WAIT, COND, RSP, SITE_A);
		hooks.called(1, LOCK, A, RSP - 0x40, COND_WAIT + 0x10, memory); // the wait retaking its mutex
		assertEquals(1, events.size(), described().toString());
	}

	@Test
	void aCountedLockWhoseLockAnotherThreadHoldsAtTheEndIsBlocked() {
		hooks.called(1, LOCK, A, RSP, SITE_A, memory);
		hooks.called(2, LOCK, B, RSP, SITE_B, memory);
		hooks.called(1, LOCK, B, RSP, SITE_B, memory); // thread 1 holds A
		hooks.called(2, LOCK, A, RSP, SITE_A, memory); // thread 2 holds B
		hooks.runEnded();
		List<BlockedCall> blocked = hooks.blocked();
		assertEquals(List.of(1, 2), blocked.stream().map(BlockedCall::tid).toList());
		assertEquals(List.of(B, A), blocked.stream().map(c -> c.lock().address()).toList());
		assertEquals(7, blocked.get(0).position(), "the trace position of the call");
	}

	/**
	 * The run ends (exit_group) with two counted calls of the same mutex still open: thread 2 took A first (and then
	 * only computed), thread 1 asked for A afterwards while holding B, and waits. The holder is the one that asked
	 * first, whatever the thread ids: thread 1 must not be made to acquire A while holding B (an edge B to A that no
	 * thread took, which the exact hooks never report).
	 */
	@Test
	void atTheEndTheFirstOfTwoOpenCallsOfOneMutexHoldsIt() {
		hooks.called(2, LOCK, A, RSP, SITE_A, memory); // thread 2 has A; no later event of its own
		hooks.called(1, LOCK, B, RSP, SITE_B, memory);
		hooks.called(1, LOCK, A, RSP, SITE_A, memory); // thread 1 has B, waits for A
		hooks.runEnded();
		String a = Long.toHexString(A);
		assertTrue(described().contains("2 acquired " + a + " " + CallStack.of(SITE_A)), described().toString());
		assertFalse(described().contains("1 acquired " + a + " " + CallStack.of(SITE_A)), described().toString());
		assertEquals(List.of(1), hooks.blocked().stream().map(BlockedCall::tid).toList());
	}

	/** Two readers of one rwlock: the one whose read lock is still open at the end has it too, it is not blocked. */
	@Test
	void atTheEndAnOpenReadLockBesideAnotherReaderIsHeld() {
		long rdlock = 0x401600;
		List<Event> seen = new ArrayList<>();
		LockHooks rw = new LockHooks(SymbolTable.of(List.of(new Symbol("pthread_rwlock_rdlock", rdlock, 0x40, true),
				new Symbol("main", MAIN, 0x100, true))), () -> 7, seen::add).countingCalls();
		assertTrue(rw.countable(rdlock));
		rw.called(1, rdlock, A, RSP, SITE_A, memory);
		rw.called(2, rdlock, A, RSP, SITE_A, memory); // thread 1 has its read lock: its next event (none) would say
		rw.runEnded();
		assertEquals(List.of(1, 2), seen.stream().filter(Event.LockAcquired.class::isInstance).map(
				e -> ((Event.LockAcquired) e).tid()).toList());
		assertTrue(rw.blocked().isEmpty(), rw.blocked().toString());
	}

	/**
	 * Where no stub could be placed, a loop that locks a recursive mutex twice from one call site makes two hits with
	 * the same RSP, return address and argument: two calls of the same function, not a tail call (which goes on into
	 * another function), so two acquisitions, as the exact hooks see them.
	 */
	@Test
	void twoHitsOfOneCountedFunctionFromOneSiteAreTwoCalls() {
		hit(1, LOCK, A, RSP, SITE_A);
		hit(1, LOCK, A, RSP, SITE_A);
		if (memory.watched.getOrDefault(SITE_A, 0) > 0) {
			returns(1, SITE_A, RSP + 8, 0); // the second call returns (as a tail call, its return was watched)
		}
		hit(1, UNLOCK, A, RSP, SITE_B);
		hit(1, UNLOCK, A, RSP, SITE_B);
		assertEquals(2, described().stream().filter(d -> d.startsWith("1 acquired")).count(), described().toString());
		assertEquals(2, described().stream().filter(d -> d.startsWith("1 released")).count(), described().toString());
	}

	@Test
	void aHitOfACountedFunctionWithoutAStubIsTakenAsACall() {
		hit(1, LOCK, A, RSP, SITE_A);
		hit(1, UNLOCK, A, RSP, SITE_A);
		assertEquals(List.of("1 request " + Long.toHexString(A) + " " + CallStack.of(SITE_A), "1 acquired "
				+ Long.toHexString(A) + " " + CallStack.of(SITE_A), "1 released " + Long.toHexString(A)), described());
		assertTrue(memory.watched.isEmpty(), "no return watched");
	}
}
