package org.insight.vmm.linux;

import static org.insight.vmm.linux.LinuxFixture.UNMAPPED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.insight.kvm.Regs;
import org.insight.vmm.sched.GuestThread;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** sysinfo, getrusage, times, prctl's thread names and the scheduling-policy calls, on the fixture's process. */
class SystemInfoCallsTest {
	private final LinuxFixture f = new LinuxFixture();

	@AfterEach
	void close() {
		f.close();
	}

	private byte[] name(GuestThread t) {
		long buf = f.alloc(16);
		assertEquals(0, f.callAs(t, Syscalls.PRCTL, SystemInfoCalls.PR_GET_NAME, buf));
		byte[] b = new byte[16];
		f.space.copyIn(buf, b, 0, 16);
		int n = 0;
		while (n < 16 && b[n] != 0) {
			n++;
		}
		return Arrays.copyOf(b, n);
	}

	@Test
	void threadNamesAreSetCutToFifteenBytesAndInheritedByNewThreads() {
		GuestThread main = f.main();
		byte[] initial = name(main);
		assertEquals(f.process.executablePath().substring(f.process.executablePath().lastIndexOf('/') + 1),
				new String(initial, StandardCharsets.UTF_8), "the executable's name until one is set");
		long s = f.cString("a-very-long-thread-name");
		assertEquals(0, f.call(Syscalls.PRCTL, SystemInfoCalls.PR_SET_NAME, s));
		assertArrayEquals("a-very-long-thr".getBytes(StandardCharsets.US_ASCII), name(main));
		GuestThread other = f.scheduler.spawn(new Regs(), null, 0);
		assertArrayEquals(initial, name(other), "a thread made outside clone has none of its own");
		assertEquals(-Errno.EFAULT, f.call(Syscalls.PRCTL, SystemInfoCalls.PR_SET_NAME, UNMAPPED));
		assertEquals(-Errno.EFAULT, f.call(Syscalls.PRCTL, SystemInfoCalls.PR_GET_NAME, UNMAPPED));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.PRCTL, 9999, 0));
		assertEquals(1, f.call(Syscalls.PRCTL, SystemInfoCalls.PR_GET_DUMPABLE));
	}

	@Test
	void sysinfoTellsTheMachinesMemoryAndThreads() {
		long info = f.alloc(SystemInfoCalls.SIZEOF_SYSINFO);
		assertEquals(0, f.call(Syscalls.SYSINFO, info));
		assertEquals(f.space.memoryCapBytes(), f.space.readU64(info + 32), "totalram");
		long free = f.space.readU64(info + 40);
		assertEquals(f.space.memoryCapBytes() - f.space.usedBytes(), free, "freeram");
		assertEquals(f.scheduler.liveCount(), f.space.readU32(info + 80) & 0xffff, "procs");
		assertEquals(1, f.space.readU32(info + 104), "mem_unit");
		assertEquals(0, f.space.readU64(info + 8), "no load");
		assertEquals(-Errno.EFAULT, f.call(Syscalls.SYSINFO, UNMAPPED));
	}

	@Test
	void rusageAndTimesComeFromTheClocksAndMemory() {
		long ru = f.alloc(SystemInfoCalls.SIZEOF_RUSAGE);
		assertEquals(0, f.call(Syscalls.GETRUSAGE, SystemInfoCalls.RUSAGE_SELF, ru));
		assertEquals(f.space.peakBytes() / 1024, f.space.readU64(ru + 32), "ru_maxrss in KiB");
		assertEquals(0, f.call(Syscalls.GETRUSAGE, SystemInfoCalls.RUSAGE_CHILDREN, ru));
		assertEquals(0, f.space.readU64(ru + 32), "no child");
		assertEquals(-Errno.EINVAL, f.call(Syscalls.GETRUSAGE, 7, ru));
		long tms = f.alloc(SystemInfoCalls.SIZEOF_TMS);
		long ticks = f.call(Syscalls.TIMES, tms);
		assertEquals(true, ticks >= 0, "elapsed ticks " + ticks);
		assertEquals(0, f.space.readU64(tms + 8), "no system time");
		assertEquals(true, f.call(Syscalls.TIMES, 0) >= ticks, "times(NULL) is allowed");
	}

	@Test
	void theOnePolicyIsSchedOtherAtPriorityZero() {
		assertEquals(SystemInfoCalls.SCHED_OTHER, f.call(Syscalls.SCHED_GETSCHEDULER, 0));
		assertEquals(-Errno.ESRCH, f.call(Syscalls.SCHED_GETSCHEDULER, 99_999));
		long param = f.alloc(8);
		f.space.writeU32(param, 7);
		assertEquals(0, f.call(Syscalls.SCHED_GETPARAM, 0, param));
		assertEquals(0, f.space.readU32(param));
		assertEquals(99, f.call(Syscalls.SCHED_GET_PRIORITY_MAX, SystemInfoCalls.SCHED_FIFO));
		assertEquals(1, f.call(Syscalls.SCHED_GET_PRIORITY_MIN, SystemInfoCalls.SCHED_RR));
		assertEquals(0, f.call(Syscalls.SCHED_GET_PRIORITY_MAX, SystemInfoCalls.SCHED_OTHER));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.SCHED_GET_PRIORITY_MAX, 42));
		assertEquals(0, f.call(Syscalls.SCHED_SETSCHEDULER, 0, SystemInfoCalls.SCHED_OTHER, param));
		f.space.writeU32(param, 10);
		assertEquals(-Errno.EPERM, f.call(Syscalls.SCHED_SETSCHEDULER, 0, SystemInfoCalls.SCHED_FIFO, param));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.SCHED_SETPARAM, 0, param), "SCHED_OTHER takes priority 0 only");
	}
}
