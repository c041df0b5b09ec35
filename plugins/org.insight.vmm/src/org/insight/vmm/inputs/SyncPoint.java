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
 * handled ({@code syscallNr} is -1 for a {@link Kind#PREEMPTED} point).
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
		PREEMPTED
	}

	private final int tid;
	private final long index;
	private final Kind kind;
	private final int syscallNr;
	private final long[] args;

	public SyncPoint(int tid, long index, Kind kind, int syscallNr, long[] args) {
		this.tid = tid;
		this.index = index;
		this.kind = Objects.requireNonNull(kind, "kind");
		this.syscallNr = syscallNr;
		this.args = args.clone();
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
		String what = syscallNr < 0 ? "preemption" : call.toString();
		return kind + " sync point " + index + " of thread " + tid + ": " + what;
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
