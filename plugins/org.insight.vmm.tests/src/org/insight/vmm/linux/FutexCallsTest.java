package org.insight.vmm.linux;

import static org.insight.vmm.linux.FutexCalls.FUTEX_CLOCK_REALTIME;
import static org.insight.vmm.linux.FutexCalls.FUTEX_CMP_REQUEUE;
import static org.insight.vmm.linux.FutexCalls.FUTEX_LOCK_PI;
import static org.insight.vmm.linux.FutexCalls.FUTEX_PRIVATE_FLAG;
import static org.insight.vmm.linux.FutexCalls.FUTEX_REQUEUE;
import static org.insight.vmm.linux.FutexCalls.FUTEX_WAIT;
import static org.insight.vmm.linux.FutexCalls.FUTEX_WAIT_BITSET;
import static org.insight.vmm.linux.FutexCalls.FUTEX_WAKE;
import static org.insight.vmm.linux.FutexCalls.FUTEX_WAKE_BITSET;
import static org.insight.vmm.linux.FutexCalls.FUTEX_WAKE_OP;
import static org.insight.vmm.linux.LinuxFixture.UNMAPPED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.insight.kvm.Regs;
import org.insight.vmm.inputs.ClockRead;
import org.insight.vmm.sched.GuestThread;
import org.insight.vmm.sched.ThreadState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FutexCallsTest {
	private static final int PRIVATE = FUTEX_PRIVATE_FLAG;
	private final LinuxFixture f = new LinuxFixture();
	private final long word = f.alloc(4);
	private final long other = f.alloc(4);

	@AfterEach
	void close() {
		f.close();
	}

	private GuestThread thread() {
		return f.scheduler.spawn(new Regs(), null, 0);
	}

	private long futex(GuestThread t, long addr, int op, long val, long timeoutOrVal2, long addr2, long val3) {
		return f.callAs(t, Syscalls.FUTEX, addr, op, val, timeoutOrVal2, addr2, val3);
	}

	private GuestThread waiter(int bitset) {
		GuestThread t = thread();
		f.space.writeU32(word, 1);
		long r = bitset == -1 ? futex(t, word, FUTEX_WAIT | PRIVATE, 1, 0, 0, 0)
				: futex(t, word, FUTEX_WAIT_BITSET | PRIVATE, 1, 0, 0, bitset);
		assertEquals(0, r);
		assertEquals(ThreadState.FUTEX_WAIT, t.state());
		t.regs().rax = 99;
		return t;
	}

	@Test
	void waitBlocksOnlyWhileTheWordHoldsTheExpectedValue() {
		f.space.writeU32(word, 5);
		GuestThread t = thread();
		assertEquals(-Errno.EAGAIN, futex(t, word, FUTEX_WAIT, 4, 0, 0, 0));
		assertEquals(ThreadState.RUNNABLE, t.state());
		assertEquals(0, futex(t, word, FUTEX_WAIT, 5, 0, 0, 0));
		assertEquals(ThreadState.FUTEX_WAIT, t.state());
		assertEquals(word, t.futexAddress());
		assertEquals(List.of(t), f.scheduler.futexWaiters(word));
	}

	@Test
	void wakeIsFirstInFirstOut() {
		GuestThread a = waiter(-1);
		GuestThread b = waiter(-1);
		GuestThread c = waiter(-1);
		assertEquals(1, futex(f.main(), word, FUTEX_WAKE | PRIVATE, 1, 0, 0, 0));
		assertEquals(ThreadState.RUNNABLE, a.state());
		assertEquals(0, a.regs().rax, "a woken waiter returns 0");
		assertEquals(List.of(b, c), f.scheduler.futexWaiters(word));
		assertEquals(2, futex(f.main(), word, FUTEX_WAKE | PRIVATE, Integer.MAX_VALUE, 0, 0, 0));
		assertEquals(ThreadState.RUNNABLE, c.state());
		assertEquals(0, futex(f.main(), word, FUTEX_WAKE | PRIVATE, 1, 0, 0, 0), "nobody left");
	}

	@Test
	void aWakeOfZeroStillWakesOneAsLinuxDoes() {
		GuestThread a = waiter(-1);
		waiter(-1);
		assertEquals(1, futex(f.main(), word, FUTEX_WAKE | PRIVATE, 0, 0, 0, 0));
		assertEquals(ThreadState.RUNNABLE, a.state());
	}

	@Test
	void bitsetsChooseTheWaiters() {
		GuestThread one = waiter(1);
		GuestThread two = waiter(2);
		GuestThread any = waiter(-1);
		assertEquals(2, futex(f.main(), word, FUTEX_WAKE_BITSET | PRIVATE, 10, 0, 0, 2));
		assertEquals(ThreadState.FUTEX_WAIT, one.state());
		assertEquals(ThreadState.RUNNABLE, two.state());
		assertEquals(ThreadState.RUNNABLE, any.state());
		assertEquals(-Errno.EINVAL, futex(f.main(), word, FUTEX_WAKE_BITSET | PRIVATE, 1, 0, 0, 0));
		assertEquals(-Errno.EINVAL, futex(thread(), word, FUTEX_WAIT_BITSET | PRIVATE, 1, 0, 0, 0));
	}

	@Test
	void requeueWakesSomeAndMovesOthers() {
		GuestThread a = waiter(-1);
		GuestThread b = waiter(-1);
		GuestThread c = waiter(-1);
		assertEquals(2, futex(f.main(), word, FUTEX_REQUEUE | PRIVATE, 1, 1, other, 0), "woken + moved");
		assertEquals(ThreadState.RUNNABLE, a.state());
		assertEquals(List.of(b), f.scheduler.futexWaiters(other));
		assertEquals(other, b.futexAddress());
		assertEquals(List.of(c), f.scheduler.futexWaiters(word));
		assertEquals(1, futex(f.main(), other, FUTEX_WAKE | PRIVATE, 1, 0, 0, 0));
		assertEquals(ThreadState.RUNNABLE, b.state());
	}

	@Test
	void cmpRequeueChecksTheWordFirst() {
		GuestThread a = waiter(-1);
		GuestThread b = waiter(-1);
		assertEquals(-Errno.EAGAIN, futex(f.main(), word, FUTEX_CMP_REQUEUE | PRIVATE, 1, 10, other, 2));
		assertEquals(List.of(a, b), f.scheduler.futexWaiters(word), "nothing moved");
		assertEquals(2, futex(f.main(), word, FUTEX_CMP_REQUEUE | PRIVATE, 0, 10, other, 1));
		assertEquals(List.of(a, b), f.scheduler.futexWaiters(other), "order kept");
		assertEquals(-Errno.EINVAL, futex(f.main(), word, FUTEX_CMP_REQUEUE | PRIVATE, -1, 1, other, 1));
		assertEquals(-Errno.EINVAL, futex(f.main(), word, FUTEX_REQUEUE | PRIVATE, 1, 1, other + 2, 0));
	}

	@Test
	void aRelativeTimeoutExpiresAtASyncPointWithEtimedout() {
		f.inputs.monotonic = 1_000_000;
		f.space.writeU32(word, 0);
		GuestThread t = thread();
		long ts = f.u64s(0, 5_000);
		assertEquals(0, futex(t, word, FUTEX_WAIT | PRIVATE, 0, ts, 0, 0));
		assertEquals(1_005_000, t.deadline());
		f.scheduler.afterSyscall(Syscalls.GETPID, new long[6]);
		assertEquals(ThreadState.FUTEX_WAIT, t.state(), "not yet");
		f.inputs.monotonic = 1_005_000;
		f.scheduler.afterSyscall(Syscalls.GETPID, new long[6]);
		assertEquals(ThreadState.RUNNABLE, t.state());
		assertEquals(-Errno.ETIMEDOUT, t.regs().rax);
		assertTrue(f.scheduler.futexWaiters(word).isEmpty(), "off the queue");
		assertEquals(1, f.scheduler.timeoutsExpired());
	}

	@Test
	void anAbsoluteRealtimeTimeoutIsConvertedToTheMonotonicClock() {
		f.inputs.monotonic = 50_000;
		f.inputs.realtime = 1_000_000_000_000L;
		GuestThread t = thread();
		long ts = f.u64s(1000, 2_000);
		assertEquals(0, futex(t, word, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 0, ts, 0, -1));
		assertEquals(52_000, t.deadline());
		assertTrue(f.inputs.asked(ClockRead.class).contains(new ClockRead(1000, ClockRead.CLOCK_REALTIME,
				ClockRead.Purpose.TIMEOUT)));
		GuestThread u = thread();
		assertEquals(0, futex(u, word, FUTEX_WAIT_BITSET, 0, f.u64s(0, 60_000), 0, -1));
		assertEquals(60_000, u.deadline(), "an absolute monotonic time is the deadline itself");
	}

	@Test
	void expiredTimeoutsAndErrorPrecedence() {
		f.inputs.monotonic = 1_000_000;
		GuestThread t = thread();
		assertEquals(-Errno.ETIMEDOUT, futex(t, word, FUTEX_WAIT, 0, f.u64s(0, 0), 0, 0), "zero relative timeout");
		assertEquals(-Errno.ETIMEDOUT, futex(t, word, FUTEX_WAIT_BITSET, 0, f.u64s(0, 10), 0, -1), "in the past");
		assertEquals(-Errno.EAGAIN, futex(t, word, FUTEX_WAIT, 1, f.u64s(0, 0), 0, 0), "EAGAIN before ETIMEDOUT");
		assertEquals(-Errno.EINVAL, futex(t, word, FUTEX_WAIT, 1, f.u64s(0, 2_000_000_000L), 0, 0),
				"a bad timeout before the value check");
		assertEquals(-Errno.EFAULT, futex(t, word, FUTEX_WAIT, 0, UNMAPPED, 0, 0));
		assertEquals(-Errno.EFAULT, futex(t, UNMAPPED, FUTEX_WAIT, 0, 0, 0, 0));
		assertEquals(-Errno.EINVAL, futex(t, word + 1, FUTEX_WAIT, 0, 0, 0, 0), "misaligned");
		assertEquals(ThreadState.RUNNABLE, t.state());
	}

	@Test
	void aPrivateWakeNeedsNoMemoryButASharedOneDoes() {
		assertEquals(0, futex(f.main(), UNMAPPED, FUTEX_WAKE | PRIVATE, 1, 0, 0, 0));
		assertEquals(-Errno.EFAULT, futex(f.main(), UNMAPPED, FUTEX_WAKE, 1, 0, 0, 0));
		assertEquals(-Errno.EINVAL, futex(f.main(), word + 2, FUTEX_WAKE | PRIVATE, 1, 0, 0, 0));
	}

	@Test
	void wakeOpChangesTheSecondWordAndWakesBothQueues() {
		GuestThread a = waiter(-1);
		f.space.writeU32(other, 5);
		GuestThread b = thread();
		assertEquals(0, futex(b, other, FUTEX_WAIT | PRIVATE, 5, 0, 0, 0));
		int addOneIfGreaterThanZero = (1 << 28) | (4 << 24) | (1 << 12);
		assertEquals(2, futex(f.main(), word, FUTEX_WAKE_OP | PRIVATE, 1, 1, other, addOneIfGreaterThanZero));
		assertEquals(6, f.space.readU32(other));
		assertEquals(ThreadState.RUNNABLE, a.state());
		assertEquals(ThreadState.RUNNABLE, b.state());
		int setToOneIfEqualsSeven = (0 << 28) | (0 << 24) | (1 << 12) | 7;
		assertEquals(0, futex(f.main(), word, FUTEX_WAKE_OP | PRIVATE, 1, 1, other, setToOneIfEqualsSeven));
		assertEquals(1, f.space.readU32(other));
		int shiftedOr = (1 << 31) | (2 << 28) | (0 << 24) | (4 << 12);
		futex(f.main(), word, FUTEX_WAKE_OP | PRIVATE, 1, 1, other, shiftedOr);
		assertEquals(1 | 16, f.space.readU32(other), "OPARG_SHIFT: 1 << 4");
	}

	@Test
	void requeuePiAndOddOpsAreNotThere() {
		assertEquals(-Errno.ENOSYS, futex(f.main(), word, FutexCalls.FUTEX_CMP_REQUEUE_PI | PRIVATE, 1, 0, other, 0));
		assertTrue(f.process.notes().get(0).contains("FUTEX_CMP_REQUEUE_PI|FUTEX_PRIVATE_FLAG"),
				f.process.notes().toString());
		assertEquals(-Errno.ENOSYS, futex(f.main(), word, FUTEX_LOCK_PI | FUTEX_CLOCK_REALTIME, 0, 0, 0, 0));
		assertEquals(-Errno.ENOSYS, futex(f.main(), word, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, 0, 0, 0));
		assertEquals(-Errno.ENOSYS, futex(f.main(), word, 2, 0, 0, 0, 0), "FUTEX_FD is long gone");
	}
}
