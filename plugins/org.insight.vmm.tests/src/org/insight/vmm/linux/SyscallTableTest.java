package org.insight.vmm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

class SyscallTableTest {
	@Test
	void unknownNumbersGetEnosysAndAreCountedPerNumber() {
		try (LinuxFixture f = new LinuxFixture()) {
			assertEquals(-Errno.ENOSYS, f.call(41, 0, 0, 0));
			assertEquals(-Errno.ENOSYS, f.call(41, 0, 0, 0));
			assertEquals(-Errno.ENOSYS, f.table.call(f.process, f.main(), 99_999, SyscallArgs.of()));
			assertEquals(-Errno.ENOSYS, f.table.call(f.process, f.main(), -1, SyscallArgs.of()));
			// Only the low 32 bits count, and the x32 bit makes a number x86-64 does not have.
			assertEquals(1000, f.table.call(f.process, f.main(), 0xffff_ffff_0000_0000L | Syscalls.GETPID,
					SyscallArgs.of()));
			assertEquals(-Errno.ENOSYS, f.table.call(f.process, f.main(), 0x4000_0000L | Syscalls.GETPID,
					SyscallArgs.of()));
			assertEquals(Map.of(41, 2L, 99_999, 1L, -1, 1L, 0x4000_0000 | Syscalls.GETPID, 1L),
					f.table.unknownCalls());
			assertTrue(f.process.termination().isEmpty(), "an unknown syscall never stops the machine");
		}
	}

	@Test
	void aNumberTakesOneHandler() {
		SyscallTable t = new SyscallTable();
		t.register(Syscalls.GETPID, (p, th, a) -> 1);
		IllegalStateException e = assertThrows(IllegalStateException.class,
				() -> t.register(Syscalls.GETPID, (p, th, a) -> 2));
		assertTrue(e.getMessage().contains("getpid"), e.getMessage());
		assertThrows(IllegalArgumentException.class, () -> t.register(Syscalls.limit(), (p, th, a) -> 0));
		assertTrue(t.handles(Syscalls.GETPID));
		assertFalse(t.handles(Syscalls.GETTID));
	}

	@Test
	void thePersonalityCoversWhatStaticGlibcAndMuslNeed() {
		SyscallTable t = SyscallTable.linux();
		// PLATFORM.md: measured with strace on 4-thread pthread programs, plus issue 3's list.
		int[] needed = { Syscalls.ARCH_PRCTL, Syscalls.SET_TID_ADDRESS, Syscalls.IOCTL, Syscalls.WRITEV,
				Syscalls.MMAP, Syscalls.MUNMAP, Syscalls.MPROTECT, Syscalls.RT_SIGPROCMASK, Syscalls.CLONE,
				Syscalls.FUTEX, Syscalls.NANOSLEEP, Syscalls.EXIT, Syscalls.EXIT_GROUP, Syscalls.WRITE, Syscalls.BRK,
				Syscalls.RT_SIGACTION, Syscalls.MADVISE, Syscalls.READLINK, Syscalls.CLOCK_NANOSLEEP,
				Syscalls.NEWFSTATAT, Syscalls.SET_ROBUST_LIST, Syscalls.PRLIMIT64, Syscalls.GETRANDOM, Syscalls.RSEQ,
				Syscalls.CLONE3, Syscalls.READ, Syscalls.PWRITE64, Syscalls.CLOCK_GETTIME, Syscalls.GETTIMEOFDAY,
				Syscalls.TIME, Syscalls.GETPID, Syscalls.GETTID, Syscalls.GETPPID, Syscalls.SCHED_YIELD,
				Syscalls.SCHED_GETAFFINITY, Syscalls.UNAME, Syscalls.TGKILL, Syscalls.KILL, Syscalls.TKILL,
				Syscalls.READV, Syscalls.MREMAP, Syscalls.SIGALTSTACK, Syscalls.CLOSE, Syscalls.FSTAT,
				Syscalls.LSEEK, Syscalls.OPEN, Syscalls.OPENAT, Syscalls.CLOCK_GETRES };
		for (int nr : needed) {
			assertTrue(t.handles(nr), Syscalls.name(nr) + " has a handler");
		}
	}

	@Test
	void namesComeFromTheKernelHeaders() {
		assertEquals("futex", Syscalls.name(202));
		assertEquals("clone3", Syscalls.name(435));
		assertEquals("syscall 999", Syscalls.name(999));
		assertEquals("EFAULT", Errno.name(14));
		assertEquals("EHWPOISON", Errno.name(133));
		assertEquals("errno 41", Errno.name(41));
		assertEquals("-EAGAIN", Errno.describeResult(-11));
		assertEquals("4096", Errno.describeResult(4096));
	}
}
