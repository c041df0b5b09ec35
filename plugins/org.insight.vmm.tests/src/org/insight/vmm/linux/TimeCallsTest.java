package org.insight.vmm.linux;

import static org.insight.vmm.linux.LinuxFixture.UNMAPPED;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.insight.vmm.inputs.ClockRead;
import org.insight.vmm.sched.ThreadState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TimeCallsTest {
	private final LinuxFixture f = new LinuxFixture();

	@AfterEach
	void close() {
		f.close();
	}

	private long timespec(long sec, long nsec) {
		return f.u64s(sec, nsec);
	}

	@Test
	void clockGettimeAsksTheInputs() {
		f.inputs.monotonic = 5_123_456_789L;
		long ts = f.alloc(16);
		assertEquals(0, f.call(Syscalls.CLOCK_GETTIME, ClockRead.CLOCK_MONOTONIC, ts));
		assertEquals(5, f.space.readU64(ts));
		assertEquals(123_456_789, f.space.readU64(ts + 8));
		assertEquals(List.of(new ClockRead(1000, ClockRead.CLOCK_MONOTONIC, ClockRead.Purpose.SYSCALL)),
				f.inputs.asked(ClockRead.class));
		assertEquals(0, f.call(Syscalls.CLOCK_GETTIME, ClockRead.CLOCK_PROCESS_CPUTIME_ID, ts));
		assertEquals(12_345, f.space.readU64(ts + 8));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.CLOCK_GETTIME, 10, ts));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.CLOCK_GETTIME, -6, ts), "CPU clocks of other threads");
		assertEquals(-Errno.EFAULT, f.call(Syscalls.CLOCK_GETTIME, ClockRead.CLOCK_REALTIME, UNMAPPED));
	}

	@Test
	void wallClockCalls() {
		f.inputs.realtime = 1_700_000_000_987_654_321L;
		long tv = f.alloc(16);
		long tz = f.u64s(-1);
		assertEquals(0, f.call(Syscalls.GETTIMEOFDAY, tv, tz));
		assertEquals(1_700_000_000L, f.space.readU64(tv));
		assertEquals(987_654, f.space.readU64(tv + 8));
		assertEquals(0, f.space.readU64(tz));
		long t = f.alloc(8);
		assertEquals(1_700_000_000L, f.call(Syscalls.TIME, t));
		assertEquals(1_700_000_000L, f.space.readU64(t));
		assertEquals(1_700_000_000L, f.call(Syscalls.TIME, 0));
		assertEquals(-Errno.EFAULT, f.call(Syscalls.TIME, UNMAPPED));
		int reads = f.inputs.asked(ClockRead.class).size();
		assertEquals(0, f.call(Syscalls.GETTIMEOFDAY, 0, 0));
		assertEquals(reads, f.inputs.asked(ClockRead.class).size(), "no clock read when nothing is asked for");
	}

	@Test
	void clockGetresIsAConstant() {
		long ts = f.alloc(16);
		assertEquals(0, f.call(Syscalls.CLOCK_GETRES, ClockRead.CLOCK_MONOTONIC, ts));
		assertEquals(1, f.space.readU64(ts + 8));
		assertEquals(0, f.call(Syscalls.CLOCK_GETRES, ClockRead.CLOCK_REALTIME_COARSE, ts));
		assertEquals(4_000_000, f.space.readU64(ts + 8));
		assertEquals(0, f.call(Syscalls.CLOCK_GETRES, ClockRead.CLOCK_REALTIME, 0));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.CLOCK_GETRES, 99, ts));
		assertEquals(0, f.inputs.asked(ClockRead.class).size());
	}

	@Test
	void nanosleepBlocksUntilADeadlineOnTheMonotonicClock() {
		f.inputs.monotonic = 1_000;
		assertEquals(0, f.call(Syscalls.NANOSLEEP, timespec(2, 500), 0));
		assertEquals(ThreadState.SLEEP, f.main().state());
		assertEquals(2_000_000_000L + 500 + 1_000, f.main().deadline());
		assertEquals(List.of(new ClockRead(1000, ClockRead.CLOCK_MONOTONIC, ClockRead.Purpose.TIMEOUT)),
				f.inputs.asked(ClockRead.class));
	}

	@Test
	void badSleepsAndZeroSleeps() {
		assertEquals(-Errno.EINVAL, f.call(Syscalls.NANOSLEEP, timespec(0, 1_000_000_000L), 0));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.NANOSLEEP, timespec(-1, 0), 0));
		assertEquals(-Errno.EFAULT, f.call(Syscalls.NANOSLEEP, UNMAPPED, 0));
		assertEquals(0, f.call(Syscalls.NANOSLEEP, timespec(0, 0), 0));
		assertEquals(ThreadState.RUNNABLE, f.main().state(), "a zero sleep yields instead");
		assertEquals(-Errno.EINVAL, f.call(Syscalls.CLOCK_NANOSLEEP, ClockRead.CLOCK_THREAD_CPUTIME_ID, 0,
				timespec(1, 0), 0));
		assertEquals(-Errno.EOPNOTSUPP, f.call(Syscalls.CLOCK_NANOSLEEP, ClockRead.CLOCK_MONOTONIC_RAW, 0,
				timespec(1, 0), 0));
	}

	@Test
	void clockNanosleepWithAnAbsoluteTime() {
		f.inputs.monotonic = 10_000_000_000L;
		assertEquals(0, f.call(Syscalls.CLOCK_NANOSLEEP, ClockRead.CLOCK_MONOTONIC, TimeCalls.TIMER_ABSTIME,
				timespec(5, 0), 0), "a time in the past returns at once");
		assertEquals(ThreadState.RUNNABLE, f.main().state());
		f.inputs.realtime = 1_700_000_000_000_000_000L;
		assertEquals(0, f.call(Syscalls.CLOCK_NANOSLEEP, ClockRead.CLOCK_REALTIME, TimeCalls.TIMER_ABSTIME,
				timespec(1_700_000_003L, 0), 0));
		assertEquals(ThreadState.SLEEP, f.main().state());
		assertEquals(13_000_000_000L, f.main().deadline(), "3 s of wall time become 3 s on the monotonic clock");
	}

	@Test
	void relativeClockNanosleep() {
		f.inputs.monotonic = 100;
		assertEquals(0, f.call(Syscalls.CLOCK_NANOSLEEP, ClockRead.CLOCK_REALTIME, 0, timespec(0, 900), 0));
		assertEquals(1000, f.main().deadline());
	}

	@Test
	void hugeDeadlinesSaturate() {
		f.inputs.monotonic = 1_000;
		assertEquals(0, f.call(Syscalls.NANOSLEEP, timespec(Long.MAX_VALUE / 2, 0), 0));
		assertEquals(Long.MAX_VALUE - 1, f.main().deadline());
	}
}
