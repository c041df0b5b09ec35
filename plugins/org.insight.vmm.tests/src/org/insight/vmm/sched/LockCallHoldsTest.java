package org.insight.vmm.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import java.util.OptionalInt;

import org.insight.vmm.sched.LockFunction.LockAction;
import org.insight.vmm.sched.LockFunction.LockObject;
import org.junit.jupiter.api.Test;

/** Mutex holders told from the entries of lock calls alone (musl's normal mutexes in --mode locks). */
class LockCallHoldsTest {
	private static final LockFunction LOCK = new LockFunction("pthread_mutex_lock", 0x100, LockObject.MUTEX,
			LockAction.ACQUIRE);
	private static final LockFunction TIMEDLOCK = new LockFunction("pthread_mutex_timedlock", 0x200, LockObject.MUTEX,
			LockAction.ACQUIRE);
	private static final LockFunction TRYLOCK = new LockFunction("pthread_mutex_trylock", 0x300, LockObject.MUTEX,
			LockAction.TRY_ACQUIRE);
	private static final LockFunction UNLOCK = new LockFunction("pthread_mutex_unlock", 0x400, LockObject.MUTEX,
			LockAction.RELEASE);
	private static final LockFunction SEM_POST = new LockFunction("sem_post", 0x500, LockObject.SEMAPHORE,
			LockAction.RELEASE);

	private final LockCallHolds holds = new LockCallHolds();

	@Test
	void aLockCallTakesItsMutexOnceTheThreadCallsAnotherLockFunction() {
		holds.lockCall(1001, LOCK, 0xa0);
		holds.lockCall(1001, TIMEDLOCK, 0xa0); // musl: pthread_mutex_lock tail-calls timedlock, one call
		assertEquals(OptionalInt.empty(), holds.holder(0xa0), "not seen to return yet");
		assertEquals(Optional.of(0xa0L), holds.pendingMutex(1001));
		holds.lockCall(1001, LOCK, 0xb0);
		assertEquals(OptionalInt.of(1001), holds.holder(0xa0));
		assertEquals(Optional.of(0xb0L), holds.pendingMutex(1001));
		holds.lockCall(1002, LOCK, 0xb0);
		holds.lockCall(1002, SEM_POST, 0xc0);
		assertEquals(OptionalInt.of(1002), holds.holder(0xb0));
		holds.lockCall(1003, UNLOCK, 0xa0);
		assertEquals(OptionalInt.empty(), holds.holder(0xa0), "an unlock by any thread gives the mutex back");
	}

	/** musl: pthread_mutex_lock -> pthread_mutex_timedlock -> pthread_mutex_trylock, each entry hooked, one call. */
	@Test
	void theInnerCallsOfOneLockCallOnTheSameMutexTakeNothingYet() {
		holds.lockCall(1001, LOCK, 0xa0);
		holds.lockCall(1001, TIMEDLOCK, 0xa0);
		holds.lockCall(1001, TRYLOCK, 0xa0);
		holds.lockCall(1001, TRYLOCK, 0xa0);
		assertEquals(OptionalInt.empty(), holds.holder(0xa0), "still inside the call: it waits for the mutex");
		holds.lockCall(1001, UNLOCK, 0xa0);
		assertEquals(OptionalInt.empty(), holds.holder(0xa0), "taken, then given back");
		holds.lockCall(1002, TRYLOCK, 0xb0);
		holds.lockCall(1002, LOCK, 0xb0); // the trylock failed, the lock waits
		holds.lockCall(1002, SEM_POST, 0xc0);
		assertEquals(OptionalInt.of(1002), holds.holder(0xb0));
	}

	@Test
	void aTrylockOrATimedLockMayHaveFailedSoTheyTakeNothing() {
		holds.lockCall(1001, TRYLOCK, 0xa0);
		holds.lockCall(1001, TIMEDLOCK, 0xb0);
		holds.lockCall(1001, SEM_POST, 0xc0);
		assertEquals(OptionalInt.empty(), holds.holder(0xa0));
		assertEquals(OptionalInt.empty(), holds.holder(0xb0));
	}

	@Test
	void anExitedThreadHoldsNothingAnyMore() {
		holds.lockCall(1001, LOCK, 0xa0);
		holds.lockCall(1001, UNLOCK, 0xd0);
		assertEquals(OptionalInt.of(1001), holds.holder(0xa0));
		holds.exited(1001);
		assertEquals(OptionalInt.empty(), holds.holder(0xa0));
		assertEquals(Optional.empty(), holds.pendingMutex(1001));
	}
}
