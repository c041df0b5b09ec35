package org.insight.vmm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.insight.vmm.memory.GuestOutOfMemoryException;
import org.insight.vmm.memory.Mman;
import org.junit.jupiter.api.Test;

/**
 * Running out of guest memory inside a syscall never escapes the syscall table: a memory call fails with ENOMEM, and
 * a call that needed a page for its result kills the process with SIGKILL (status 137), as Linux's OOM killer would.
 */
class OutOfGuestMemoryTest {
	private static void useEveryFrame(LinuxFixture f) {
		while (f.space.frames().available() > 0) {
			f.space.frames().allocate();
		}
	}

	@Test
	void aResultWrittenToAnUntouchedPageWithNoFrameLeftKillsTheProcess() {
		try (LinuxFixture f = new LinuxFixture()) {
			long untouched = f.space.mmap(0, 1 << 20, Mman.PROT_READ | Mman.PROT_WRITE,
					Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS);
			useEveryFrame(f);
			f.call(Syscalls.UNAME, untouched);
			assertTrue(f.process.isTerminated());
			Termination t = f.process.termination().orElseThrow();
			assertEquals(137, t.status());
			assertTrue(t.describe().startsWith("killed by SIGKILL: out of guest memory in uname: guest out of memory"),
					t.describe());
			assertEquals(1L, f.table.outOfMemoryCalls().get(Syscalls.UNAME));
		}
	}

	@Test
	void aMemoryCallThatRunsOutIsEnomemAndTheProcessLivesOn() {
		try (LinuxFixture f = new LinuxFixture()) {
			SyscallTable t = new SyscallTable();
			for (int nr : new int[] { Syscalls.MMAP, Syscalls.MPROTECT, Syscalls.MUNMAP, Syscalls.MADVISE,
					Syscalls.MREMAP }) {
				t.register(nr, (p, th, a) -> {
					throw new GuestOutOfMemoryException("guest out of memory: test", 1);
				});
				assertEquals(-Errno.ENOMEM, t.call(f.process, f.main(), nr, SyscallArgs.of(0, 4096)));
			}
			assertFalse(f.process.isTerminated());
		}
	}

	@Test
	void mmapWithPopulateBeyondTheFramesLeftStillSucceedsAndFaultsLater() {
		try (LinuxFixture f = new LinuxFixture()) {
			useEveryFrame(f);
			long addr = f.call(Syscalls.MMAP, 0, 1 << 20, Mman.PROT_READ | Mman.PROT_WRITE,
					Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_POPULATE, -1, 0);
			assertTrue(addr > 0, "populating is a speed-up, never a failure: " + addr);
			assertFalse(f.process.isTerminated());
		}
	}
}
