package org.insight.vmm.linux;

import static org.insight.vmm.linux.LinuxFixture.UNMAPPED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.insight.vmm.inputs.RandomRequest;
import org.insight.vmm.memory.MachineLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProcessCallsTest {
	private final LinuxFixture f = new LinuxFixture();

	@AfterEach
	void close() {
		f.close();
	}

	@Test
	void identityIsFixed() {
		assertEquals(1000, f.call(Syscalls.GETPID));
		assertEquals(1000, f.call(Syscalls.GETTID));
		assertEquals(1, f.call(Syscalls.GETPPID));
		assertEquals(0, f.call(Syscalls.GETUID));
		assertEquals(0, f.call(Syscalls.GETEGID));
		assertEquals(1000, f.call(Syscalls.GETPGID, 0));
		assertEquals(-Errno.ESRCH, f.call(Syscalls.GETPGID, 4242));
	}

	@Test
	void unameFillsSixFields() {
		long u = f.alloc(6 * 65);
		assertEquals(0, f.call(Syscalls.UNAME, u));
		assertEquals("Linux", f.space.readCString(u, 64));
		assertEquals("insight", f.space.readCString(u + 65, 64));
		assertEquals("x86_64", f.space.readCString(u + 4 * 65, 64));
		assertTrue(f.space.readCString(u + 2 * 65, 64).startsWith("6."), "a kernel new enough for any libc");
		assertEquals(-Errno.EFAULT, f.call(Syscalls.UNAME, UNMAPPED));
	}

	@Test
	void resourceLimitsReadBackWhatWasSet() {
		long old = f.alloc(16);
		assertEquals(0, f.call(Syscalls.PRLIMIT64, 0, LinuxProcess.RLIMIT_STACK, 0, old));
		assertEquals(MachineLayout.STACK_SIZE, f.space.readU64(old));
		assertEquals(-1L, f.space.readU64(old + 8), "RLIM_INFINITY");
		long lim = f.u64s(256, 512);
		assertEquals(0, f.call(Syscalls.PRLIMIT64, 1000, LinuxProcess.RLIMIT_NOFILE, lim, old));
		assertEquals(1024, f.space.readU64(old), "the old value comes back");
		assertEquals(0, f.call(Syscalls.GETRLIMIT, LinuxProcess.RLIMIT_NOFILE, old));
		assertEquals(256, f.space.readU64(old));
		assertEquals(512, f.space.readU64(old + 8));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.PRLIMIT64, 0, LinuxProcess.RLIMIT_NOFILE, f.u64s(9, 8), 0),
				"soft above hard");
		assertEquals(-Errno.EINVAL, f.call(Syscalls.GETRLIMIT, 16, old));
		assertEquals(-Errno.ESRCH, f.call(Syscalls.PRLIMIT64, 4242, 0, 0, old));
		assertEquals(-Errno.EFAULT, f.call(Syscalls.GETRLIMIT, 0, UNMAPPED));
	}

	@Test
	void oneCpu() {
		long mask = f.alloc(128);
		assertEquals(8, f.call(Syscalls.SCHED_GETAFFINITY, 0, 128, mask));
		assertEquals(1, f.space.readU64(mask));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.SCHED_GETAFFINITY, 0, 4, mask));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.SCHED_GETAFFINITY, 0, 12, mask));
		assertEquals(-Errno.ESRCH, f.call(Syscalls.SCHED_GETAFFINITY, 77, 8, mask));
		assertEquals(-Errno.EFAULT, f.call(Syscalls.SCHED_GETAFFINITY, 0, 8, UNMAPPED));
		assertEquals(0, f.call(Syscalls.SCHED_SETAFFINITY, 0, 8, f.u64s(1)));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.SCHED_SETAFFINITY, 0, 8, f.u64s(2)), "CPU 1 does not exist");
	}

	@Test
	void getrandomTakesItsBytesFromTheInputs() {
		long buf = f.alloc(32);
		assertEquals(5, f.call(Syscalls.GETRANDOM, buf, 5, 0));
		assertArrayEquals(new byte[] { 1, 2, 3, 4, 5 }, f.space.copyIn(buf, 5));
		assertEquals(List.of(new RandomRequest(1000, 5, RandomRequest.Purpose.GETRANDOM)),
				f.inputs.asked(RandomRequest.class));
		assertEquals(0, f.call(Syscalls.GETRANDOM, buf, 0, 0));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.GETRANDOM, buf, 4, 8));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.GETRANDOM, buf, 4, ProcessCalls.GRND_RANDOM
				| ProcessCalls.GRND_INSECURE));
		assertEquals(-Errno.EFAULT, f.call(Syscalls.GETRANDOM, UNMAPPED, 4, 0));
		assertEquals(1, f.inputs.asked(RandomRequest.class).size(), "no input is spent on a failing call");
	}

	@Test
	void exitGroupEndsTheProcessWithItsCode() {
		assertEquals(0, f.call(Syscalls.EXIT_GROUP, 3));
		assertEquals(new Termination.Exited(3), f.process.termination().orElseThrow());
		f.call(Syscalls.EXIT_GROUP, 9);
		assertEquals(3, f.process.termination().orElseThrow().status(), "the first ending counts");
	}
}
