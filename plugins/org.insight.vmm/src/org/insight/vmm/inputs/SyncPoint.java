package org.insight.vmm.inputs;

import java.util.Arrays;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * A deterministic place in a guest thread's execution where the scheduler may switch threads: the question "which
 * thread runs next?" asked through {@link GuestInputs#schedule}.
 * <p>
 * {@code index} counts the sync points of thread {@code tid} from 0, so that a thread's position in its own
 * execution can be named without any clock. {@code syscallNr} and {@code args} describe the syscall that was just
 * handled; {@code syscallNr} is -1 for a {@link Kind#PREEMPTED} point, which has no arguments, and for a
 * {@link Kind#LOCK_CALL}, whose arguments are the function's address and its first argument (the lock).
 * <p>
 * A lock call may carry the function's name, for messages only: it is not part of the question (a trace stores the
 * address), so it takes no part in {@link #equals}.
 */
public final class SyncPoint implements InputQuestion {
	/** What happened to the asking thread at this point. */
	public enum Kind {
		/** A syscall returned; the thread may keep running. */
		SYSCALL,
		/** sched_yield (or a zero sleep): the thread offers its place to another one. */
		YIELD,
		/** The thread blocked (futex wait, sleep): another thread must run, or the machine idles. */
		BLOCKED,
		/** The thread exited. */
		EXITED,
		/** A watchdog kick preempted the thread at an arbitrary instruction (see {@link Preemption}). */
		PREEMPTED,
		/** The thread is about to call a pthread lock function ({@code --mode locks}); it may be switched out. */
		LOCK_CALL
	}

	private final int tid;
	private final long index;
	private final Kind kind;
	private final int syscallNr;
	private final long[] args;
	private final String function;

	public SyncPoint(int tid, long index, Kind kind, int syscallNr, long[] args) {
		this(tid, index, kind, syscallNr, args, null);
	}

	private SyncPoint(int tid, long index, Kind kind, int syscallNr, long[] args, String function) {
		this.tid = tid;
		this.index = index;
		this.kind = Objects.requireNonNull(kind, "kind");
		this.syscallNr = syscallNr;
		this.args = args.clone();
		this.function = function;
	}

	/** Thread {@code tid} is about to call the lock function {@code name} at {@code address} on {@code lock}. */
	public static SyncPoint lockCall(int tid, long index, String name, long address, long lock) {
		return new SyncPoint(tid, index, Kind.LOCK_CALL, -1, new long[] { address, lock }, name);
	}

	/** The called function's name at a lock call, when known (not stored in a trace). */
	public java.util.Optional<String> function() {
		return java.util.Optional.ofNullable(function);
	}

	@Override
	public int tid() {
		return tid;
	}

	public long index() {
		return index;
	}

	public Kind kind() {
		return kind;
	}

	public int syscallNr() {
		return syscallNr;
	}

	/** A copy of the syscall arguments (rdi, rsi, rdx, r10, r8, r9). */
	public long[] args() {
		return args.clone();
	}

	public long arg(int i) {
		return args[i];
	}

	public int argCount() {
		return args.length;
	}

	@Override
	public String describe() {
		StringJoiner call = new StringJoiner(", ", "syscall " + syscallNr + "(", ")");
		for (long a : args) {
			call.add("0x" + Long.toHexString(a));
		}
		String what = kind == Kind.LOCK_CALL && args.length == 2 ? lockCallText()
				: syscallNr < 0 ? "preemption" : call.toString();
		return kind + " sync point " + index + " of thread " + tid + ": " + what;
	}

	/** "pthread_mutex_lock(0x4c6f00)", or "0x401a30(0x4c6f00)" without the name. */
	public String lockCallText() {
		return (function != null ? function : "0x" + Long.toHexString(args[0])) + "(0x" + Long.toHexString(args[1])
				+ ")";
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof SyncPoint p && p.tid == tid && p.index == index && p.kind == kind
				&& p.syscallNr == syscallNr && Arrays.equals(p.args, args);
	}

	@Override
	public int hashCode() {
		return Objects.hash(tid, index, kind, syscallNr, Arrays.hashCode(args));
	}

	@Override
	public String toString() {
		return "SyncPoint[" + describe() + "]";
	}
}
