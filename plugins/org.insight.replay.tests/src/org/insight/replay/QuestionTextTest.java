package org.insight.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.insight.replay.trace.TraceFixtures;
import org.insight.vmm.inputs.ClockRead;
import org.insight.vmm.inputs.IdleWait;
import org.insight.vmm.inputs.Preemption;
import org.insight.vmm.inputs.RandomRequest;
import org.insight.vmm.inputs.StdinRead;
import org.insight.vmm.inputs.SyncPoint;
import org.junit.jupiter.api.Test;

class QuestionTextTest {
	private static String call(int nr, SyncPoint.Kind kind, long... args) {
		return QuestionText.describe(new SyncPoint(1, 0, kind, nr, args));
	}

	@Test
	void syscallsReadAsStraceWouldShowThem() {
		assertEquals("futex(0x4c6f00, FUTEX_WAKE_PRIVATE, 1)", call(202, SyncPoint.Kind.SYSCALL, 0x4c6f00, 129, 1,
				0, 0, 0));
		assertEquals("futex(0x4c6f00, FUTEX_WAIT_PRIVATE, 2, 0x7ffd1000) [blocked]", call(202,
				SyncPoint.Kind.BLOCKED, 0x4c6f00, 128, 2, 0x7ffd1000L, 0, 0));
		assertEquals("futex(0x4c6f00, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, 2, 0x7ffd1000, 0, -1)",
				call(202, SyncPoint.Kind.SYSCALL, 0x4c6f00, 128 | 256 | 9, 2, 0x7ffd1000L, 0, -1));
		assertEquals("write(1, 0x7ffd5a3c1e40, 12)", call(1, SyncPoint.Kind.SYSCALL, 1, 0x7ffd5a3c1e40L, 12, 0, 0, 0));
		assertEquals("exit_group(3) [exited]", call(231, SyncPoint.Kind.EXITED, 3, 0, 0, 0, 0, 0));
		assertEquals("sched_yield() [yield]", call(24, SyncPoint.Kind.YIELD, 0, 0, 0, 0, 0, 0));
		assertEquals("syscall 999(1, 2, 3, 4, 5, 0xffffffffffff0000)", call(999, SyncPoint.Kind.SYSCALL, 1, 2, 3, 4,
				5, -65536));
		assertEquals("preemption at a watchdog kick", call(-1, SyncPoint.Kind.PREEMPTED));
	}

	@Test
	void otherQuestionsReadAsWhatTheyAsk() {
		assertEquals("clock_gettime(CLOCK_MONOTONIC)", QuestionText.describe(new ClockRead(1, 1,
				ClockRead.Purpose.SYSCALL)));
		assertEquals("timeout check on CLOCK_REALTIME", QuestionText.describe(new ClockRead(1, 0,
				ClockRead.Purpose.TIMEOUT)));
		assertEquals("AT_RANDOM (16 bytes)", QuestionText.describe(new RandomRequest(1, 16,
				RandomRequest.Purpose.AT_RANDOM)));
		assertEquals("read(0, ..., 4096)", QuestionText.describe(new StdinRead(1, 4096)));
		assertEquals("idle until CLOCK_MONOTONIC 5000 ns", QuestionText.describe(new IdleWait(1, 5000)));
		Preemption kick = new Preemption(1, 9, TraceFixtures.landmark(0), false);
		assertEquals("watchdog kick at rip 0x401000 after 9 sync points", QuestionText.describe(kick));
	}

	@Test
	void smallNumbersAreDecimalAndAddressesHex() {
		assertEquals("65535", QuestionText.value(0xffff));
		assertEquals("0x10000", QuestionText.value(0x10000));
		assertEquals("-4095", QuestionText.value(-4095));
		assertEquals("0xfffffffffffff000", QuestionText.value(-4096));
	}

	@Test
	void lockCallsReadAsTheCallAndDifferByFunctionAndLock() {
		SyncPoint recorded = SyncPoint.lockCall(1000, 7, "pthread_mutex_lock", 0x401a30, 0x4c6f00);
		assertEquals("lock call pthread_mutex_lock(0x4c6f00)", QuestionText.describe(recorded));
		// What a trace decodes: the address only.
		SyncPoint decoded = new SyncPoint(1000, 7, SyncPoint.Kind.LOCK_CALL, -1, new long[] { 0x401a30, 0x4c6f00 });
		assertEquals("lock call 0x401a30(0x4c6f00)", QuestionText.describe(decoded));
		assertEquals(recorded, decoded, "the name is not part of the question");
		SyncPoint other = SyncPoint.lockCall(1000, 7, "pthread_mutex_unlock", 0x401b00, 0x4c6f40);
		assertEquals(java.util.List.of("function (expected 0x401a30, got pthread_mutex_unlock)",
				"lock (expected 0x4c6f00, got 0x4c6f40)"), QuestionText.differences(decoded, other));
	}
}
