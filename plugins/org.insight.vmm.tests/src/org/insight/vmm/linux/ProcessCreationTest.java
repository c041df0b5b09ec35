package org.insight.vmm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProcessCreationTest {
	private final LinuxFixture f = new LinuxFixture();

	@AfterEach
	void close() {
		f.close();
	}

	@Test
	void eachKindAnswersEnosysAndIsReportedOnceWithItsPlace() {
		f.process.codeNames(a -> "_Fork+0x" + Long.toHexString(a - 0x401000));
		f.main().regs().rip = 0x401012;
		assertEquals(-Errno.ENOSYS, f.call(Syscalls.FORK));
		f.main().regs().rip = 0x401032;
		assertEquals(-Errno.ENOSYS, f.call(Syscalls.FORK));
		assertEquals(-Errno.ENOSYS, f.call(Syscalls.EXECVE, f.cString("/bin/sh"), 0, 0));
		long args = f.alloc(88);
		f.space.writeU64(args, ThreadCalls.CLONE_VM | ThreadCalls.CLONE_SIGHAND | ThreadCalls.CLONE_THREAD);
		assertEquals(-Errno.ENOSYS, f.call(Syscalls.CLONE3, args, 88), "a thread: silent, glibc falls back");
		assertEquals(List.of(
				"the guest called fork (not supported: one VM per process is not built yet); it got ENOSYS at _Fork+0x10",
				"the guest called execve (not supported: one VM per process is not built yet); it got ENOSYS at _Fork+0x30"),
				f.process.notes());
		assertEquals(1, f.scheduler.liveCount());
	}

	/** No child ever exists, so the waits answer ECHILD, after Linux's own argument checks. */
	@Test
	void waitsFindNoChildAfterLinuxsArgumentChecks() {
		long info = f.alloc(128);
		assertEquals(-Errno.ECHILD, f.call(Syscalls.WAIT4, -1, 0, 0, 0));
		assertEquals(-Errno.ECHILD, f.call(Syscalls.WAIT4, 1234, f.alloc(4), ProcessCreation.WNOHANG, 0));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.WAIT4, -1, 0, 0x10, 0), "an unknown option");
		assertEquals(-Errno.ESRCH, f.call(Syscalls.WAIT4, Integer.MIN_VALUE, 0, 0, 0));
		assertEquals(-Errno.ECHILD, f.call(Syscalls.WAITID, ProcessCreation.P_ALL, 0, info, ProcessCreation.WEXITED));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.WAITID, ProcessCreation.P_ALL, 0, info, 0), "no event asked for");
		assertEquals(-Errno.EINVAL, f.call(Syscalls.WAITID, ProcessCreation.P_PID, 0, info, ProcessCreation.WEXITED));
		assertEquals(-Errno.ECHILD, f.call(Syscalls.WAITID, ProcessCreation.P_PGID, 0, info, ProcessCreation.WEXITED));
		assertEquals(-Errno.EBADF, f.call(Syscalls.WAITID, ProcessCreation.P_PIDFD, 99, info, ProcessCreation.WEXITED));
		assertEquals(-Errno.EINVAL, f.call(Syscalls.WAITID, ProcessCreation.P_PIDFD, 1, info, ProcessCreation.WEXITED),
				"stdout is no pidfd");
		assertEquals(-Errno.EINVAL, f.call(Syscalls.WAITID, 7, 0, info, ProcessCreation.WEXITED), "an unknown idtype");
	}
}
