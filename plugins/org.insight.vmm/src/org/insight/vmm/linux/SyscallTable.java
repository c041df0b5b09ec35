package org.insight.vmm.linux;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

import org.insight.vmm.memory.GuestFault;
import org.insight.vmm.memory.GuestOutOfMemoryException;
import org.insight.vmm.memory.GuestStringTooLongException;
import org.insight.vmm.sched.GuestThread;

/**
 * Syscall number to handler. A number without a handler returns -ENOSYS and is counted, per number, for the run's
 * diagnostics; it never stops the machine. Registering two handlers for one number is refused. A bad guest pointer
 * ({@link GuestFault}) is -EFAULT, and a path without a NUL within PATH_MAX is -ENAMETOOLONG. Running out of guest
 * memory is ENOMEM for a memory call and kills the process with SIGKILL otherwise (see {@link #outOfMemory}).
 */
public final class SyscallTable {
	private final SyscallHandler[] handlers = new SyscallHandler[Syscalls.limit()];
	private final Map<Integer, Long> unknown = new TreeMap<>();
	private final Map<Integer, Long> faults = new TreeMap<>();
	private final Map<Integer, Long> outOfMemory = new TreeMap<>();

	/** An empty table. */
	public SyscallTable() {
	}

	/** The Linux personality: every room's handlers. */
	public static SyscallTable linux() {
		SyscallTable table = new SyscallTable();
		FileCalls.register(table);
		DescriptorCalls.register(table);
		PollCalls.register(table);
		SelectCalls.register(table);
		EpollCalls.register(table);
		MemoryCalls.register(table);
		ProcessCalls.register(table);
		SystemInfoCalls.register(table);
		SignalCalls.register(table);
		TimeCalls.register(table);
		IntervalTimerCalls.register(table);
		PosixTimerCalls.register(table);
		TimerFdCalls.register(table);
		ThreadCalls.register(table);
		FutexCalls.register(table);
		return table;
	}

	/** Adds the handler of syscall {@code nr}; a number can have one handler only. */
	public SyscallTable register(int nr, SyscallHandler handler) {
		if (nr < 0 || nr >= handlers.length) {
			throw new IllegalArgumentException("syscall number " + nr + " is outside x86-64's 0.." + (handlers.length - 1));
		}
		if (handlers[nr] != null) {
			throw new IllegalStateException("syscall " + nr + " (" + Syscalls.name(nr) + ") has a handler already");
		}
		handlers[nr] = handler;
		return this;
	}

	public boolean handles(long nr) {
		return nr >= 0 && nr < handlers.length && handlers[(int) nr] != null;
	}

	/**
	 * Runs syscall {@code nr} for {@code thread}. {@code nr} is the full RAX; like Linux, only its low 32 bits count
	 * (so the x32 bit, 0x40000000, makes an unknown number).
	 */
	public long call(LinuxProcess process, GuestThread thread, long nr, SyscallArgs args) {
		int n = (int) nr;
		SyscallHandler h = n >= 0 && n < handlers.length ? handlers[n] : null;
		if (h == null) {
			unknown.merge(n, 1L, Long::sum);
			return -Errno.ENOSYS;
		}
		try {
			return h.handle(process, thread, args);
		} catch (GuestFault f) {
			faults.merge(n, 1L, Long::sum);
			return -Errno.EFAULT;
		} catch (GuestStringTooLongException e) {
			return -Errno.ENAMETOOLONG;
		} catch (GuestOutOfMemoryException e) {
			return outOfMemory(process, n, e);
		}
	}

	/**
	 * A handler needed a frame beyond the memory cap. A memory call fails as Linux's does (ENOMEM; brk keeps the old
	 * break). Any other call needed the page for the guest's own data (a result written to a page never touched), which
	 * Linux's OOM killer would answer by killing the process: it ends as killed by SIGKILL, status 137, and the run
	 * ends normally (a recording gets its trailer).
	 */
	private long outOfMemory(LinuxProcess process, int nr, GuestOutOfMemoryException e) {
		outOfMemory.merge(nr, 1L, Long::sum);
		switch (nr) {
		case Syscalls.MMAP, Syscalls.MUNMAP, Syscalls.MPROTECT, Syscalls.MADVISE, Syscalls.MREMAP:
			return -Errno.ENOMEM;
		case Syscalls.BRK:
			return process.memory().brk();
		default:
			process.kill(Signals.SIGKILL, OUT_OF_GUEST_MEMORY + " in " + Syscalls.name(nr) + ": " + e.getMessage());
			return -Errno.ENOMEM;
		}
	}

	/** How a process killed for want of guest memory is described (after "killed by SIGKILL: "). */
	public static final String OUT_OF_GUEST_MEMORY = "out of guest memory";

	/** Syscall numbers that ran out of guest memory, with how often. */
	public Map<Integer, Long> outOfMemoryCalls() {
		return Collections.unmodifiableMap(outOfMemory);
	}

	/** Syscall numbers that had no handler, with how often the guest called them. */
	public Map<Integer, Long> unknownCalls() {
		return Collections.unmodifiableMap(unknown);
	}

	/** Syscall numbers that got EFAULT from a bad guest pointer, with how often. */
	public Map<Integer, Long> faultedCalls() {
		return Collections.unmodifiableMap(faults);
	}
}
