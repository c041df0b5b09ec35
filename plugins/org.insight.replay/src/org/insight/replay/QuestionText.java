package org.insight.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

import org.insight.vmm.inputs.ClockRead;
import org.insight.vmm.inputs.IdleWait;
import org.insight.vmm.inputs.InputQuestion;
import org.insight.vmm.inputs.Landmark;
import org.insight.vmm.inputs.OutputWrite;
import org.insight.vmm.inputs.Preemption;
import org.insight.vmm.inputs.RandomRequest;
import org.insight.vmm.inputs.StdinRead;
import org.insight.vmm.inputs.SyncPoint;
import org.insight.vmm.inputs.TscRead;
import org.insight.vmm.linux.Syscalls;

/**
 * Input questions as a person reads them in a divergence message ("futex(0x4c6f00, FUTEX_WAIT, 2)"), and the
 * field-by-field differences between two of them.
 */
final class QuestionText {
	private QuestionText() {
	}

	private static final String[] REGISTERS = { "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp", "r8", "r9",
			"r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags" };

	static String describe(InputQuestion q) {
		return switch (q) {
		case ClockRead c -> c.purpose() == ClockRead.Purpose.SYSCALL ? "clock_gettime(" + ClockRead.clockName(
				c.clockId()) + ")" : "timeout check on " + ClockRead.clockName(c.clockId());
		case RandomRequest r -> r.purpose() == RandomRequest.Purpose.GETRANDOM ? "getrandom(" + r.length()
				+ " bytes)" : "AT_RANDOM (" + r.length() + " bytes)";
		case StdinRead s -> "read(0, ..., " + s.maxBytes() + ")";
		case OutputWrite w -> "write(" + w.fd() + ", ..., " + w.length() + "), output write " + w.index();
		case SyncPoint p -> p.kind() == SyncPoint.Kind.PREEMPTED ? "preemption at a watchdog kick"
				: p.kind() == SyncPoint.Kind.LOCK_CALL && p.argCount() == 2 ? "lock call " + p.lockCallText()
				: call(p) + (p.kind() == SyncPoint.Kind.SYSCALL ? "" : " [" + p.kind().name().toLowerCase() + "]");
		case Preemption p -> String.format("watchdog kick at rip 0x%x after %d sync points", p.landmark().rip(),
				p.syncIndex());
		case IdleWait w -> "idle until CLOCK_MONOTONIC " + w.deadlineNanos() + " ns";
		case TscRead t -> t.instruction().name().toLowerCase();
		};
	}

	/** "the clock read", for "expected X, got Y" when the questions are of different kinds. */
	static String kindName(InputQuestion q) {
		return switch (q) {
		case ClockRead c -> "clock read";
		case RandomRequest r -> "random request";
		case StdinRead s -> "stdin read";
		case OutputWrite w -> "output write";
		case SyncPoint p -> "sync point";
		case Preemption p -> "watchdog kick";
		case IdleWait w -> "idle wait";
		case TscRead t -> "TSC read";
		};
	}

	/** The syscall as strace would show it, with as many arguments as the call has. */
	static String call(SyncPoint p) {
		int nr = p.syscallNr();
		StringJoiner s = new StringJoiner(", ", Syscalls.name(nr) + "(", ")");
		int shown = Math.min(p.argCount(), arity(nr, p));
		for (int i = 0; i < shown; i++) {
			s.add(nr == Syscalls.FUTEX && i == 1 ? futexOp(p.arg(1)) : value(p.arg(i)));
		}
		return s.toString();
	}

	private static int arity(int nr, SyncPoint p) {
		return switch (nr) {
		case Syscalls.SCHED_YIELD, Syscalls.GETPID, Syscalls.GETTID, Syscalls.GETUID, Syscalls.GETGID,
				Syscalls.GETEUID, Syscalls.GETEGID, Syscalls.GETPPID -> 0;
		case Syscalls.CLOSE, Syscalls.BRK, Syscalls.EXIT, Syscalls.EXIT_GROUP, Syscalls.SET_TID_ADDRESS,
				Syscalls.UNAME, Syscalls.TIME -> 1;
		case Syscalls.MUNMAP, Syscalls.ARCH_PRCTL, Syscalls.CLOCK_GETTIME, Syscalls.CLOCK_GETRES,
				Syscalls.NANOSLEEP, Syscalls.GETTIMEOFDAY, Syscalls.SET_ROBUST_LIST, Syscalls.FSTAT,
				Syscalls.KILL -> 2;
		case Syscalls.READ, Syscalls.WRITE, Syscalls.MPROTECT, Syscalls.MADVISE, Syscalls.READV, Syscalls.WRITEV,
				Syscalls.LSEEK, Syscalls.IOCTL, Syscalls.GETRANDOM, Syscalls.TGKILL, Syscalls.FCNTL -> 3;
		case Syscalls.OPENAT, Syscalls.CLOCK_NANOSLEEP, Syscalls.RT_SIGACTION, Syscalls.RT_SIGPROCMASK,
				Syscalls.NEWFSTATAT, Syscalls.PRLIMIT64, Syscalls.RSEQ -> 4;
		case Syscalls.CLONE -> 5;
		// FUTEX_WAIT and FUTEX_WAKE read three arguments, plus a timeout for a wait that has one; the bitset
		// operations also read the last one.
		case Syscalls.FUTEX -> p.argCount() < 2 ? 6 : switch ((int) p.arg(1) & 0x7f) {
		case 0 -> p.argCount() > 3 && p.arg(3) != 0 ? 4 : 3;
		case 1 -> 3;
		default -> 6;
		};
		default -> 6;
		};
	}

	private static String futexOp(long op) {
		String base = switch ((int) op & 0x7f) {
		case 0 -> "FUTEX_WAIT";
		case 1 -> "FUTEX_WAKE";
		case 2 -> "FUTEX_FD";
		case 3 -> "FUTEX_REQUEUE";
		case 4 -> "FUTEX_CMP_REQUEUE";
		case 5 -> "FUTEX_WAKE_OP";
		case 6 -> "FUTEX_LOCK_PI";
		case 7 -> "FUTEX_UNLOCK_PI";
		case 8 -> "FUTEX_TRYLOCK_PI";
		case 9 -> "FUTEX_WAIT_BITSET";
		case 10 -> "FUTEX_WAKE_BITSET";
		case 11 -> "FUTEX_WAIT_REQUEUE_PI";
		case 12 -> "FUTEX_CMP_REQUEUE_PI";
		case 13 -> "FUTEX_LOCK_PI2";
		default -> null;
		};
		if (base == null || (op & ~0x1ffL) != 0) {
			return value(op);
		}
		return base + ((op & 128) != 0 ? "_PRIVATE" : "") + ((op & 256) != 0 ? "|FUTEX_CLOCK_REALTIME" : "");
	}

	/** Small numbers in decimal, addresses and flags in hex. */
	static String value(long v) {
		return v >= 0 && v < 0x10000 || v < 0 && v > -4096 ? Long.toString(v) : "0x" + Long.toHexString(v);
	}

	/** Every field in which {@code actual} differs from {@code expected}: "arg0 (expected 0x4c6f00, got 1)". */
	static List<String> differences(InputQuestion expected, InputQuestion actual) {
		List<String> d = new ArrayList<>();
		if (expected.tid() != actual.tid()) {
			d.add(field("thread", expected.tid(), actual.tid()));
		}
		if (expected.getClass() != actual.getClass()) {
			d.add(field("question", kindName(expected), kindName(actual)));
			return d;
		}
		switch (expected) {
		case ClockRead e -> {
			ClockRead a = (ClockRead) actual;
			if (e.clockId() != a.clockId()) {
				d.add(field("clock", ClockRead.clockName(e.clockId()), ClockRead.clockName(a.clockId())));
			}
			if (e.purpose() != a.purpose()) {
				d.add(field("purpose", e.purpose(), a.purpose()));
			}
		}
		case RandomRequest e -> {
			RandomRequest a = (RandomRequest) actual;
			if (e.length() != a.length()) {
				d.add(field("length", e.length(), a.length()));
			}
			if (e.purpose() != a.purpose()) {
				d.add(field("purpose", e.purpose(), a.purpose()));
			}
		}
		case StdinRead e -> {
			StdinRead a = (StdinRead) actual;
			if (e.maxBytes() != a.maxBytes()) {
				d.add(field("read size", e.maxBytes(), a.maxBytes()));
			}
		}
		case OutputWrite e -> {
			OutputWrite a = (OutputWrite) actual;
			if (e.index() != a.index()) {
				d.add(field("output write", e.index(), a.index()));
			}
			if (e.fd() != a.fd()) {
				d.add(field("fd", e.fd(), a.fd()));
			}
			if (e.length() != a.length()) {
				d.add(field("length", e.length(), a.length()));
			}
		}
		case SyncPoint e -> syncPointDifferences(e, (SyncPoint) actual, d);
		case Preemption e -> {
			Preemption a = (Preemption) actual;
			if (e.syncIndex() != a.syncIndex()) {
				d.add(field("sync point index", e.syncIndex(), a.syncIndex()));
			}
			if (e.timersPending() != a.timersPending()) {
				d.add(field("timeouts pending", e.timersPending(), a.timersPending()));
			}
			landmarkDifferences(e.landmark(), a.landmark(), d);
		}
		case IdleWait e -> {
			IdleWait a = (IdleWait) actual;
			if (e.deadlineNanos() != a.deadlineNanos()) {
				d.add(field("deadline", e.deadlineNanos() + " ns", a.deadlineNanos() + " ns"));
			}
		}
		case TscRead e -> {
			TscRead a = (TscRead) actual;
			if (e.instruction() != a.instruction()) {
				d.add(field("instruction", e.instruction().name().toLowerCase(),
						a.instruction().name().toLowerCase()));
			}
		}
		}
		return d;
	}

	private static void syncPointDifferences(SyncPoint e, SyncPoint a, List<String> d) {
		if (e.index() != a.index()) {
			d.add(field("sync point index", e.index(), a.index()));
		}
		if (e.kind() != a.kind()) {
			d.add(field("kind", e.kind(), a.kind()));
		}
		if (e.kind() == SyncPoint.Kind.LOCK_CALL && a.kind() == SyncPoint.Kind.LOCK_CALL && e.argCount() == 2
				&& a.argCount() == 2) {
			if (e.arg(0) != a.arg(0)) {
				d.add(field("function", e.lockCallText().replaceFirst("\\(.*", ""), a.lockCallText().replaceFirst(
						"\\(.*", "")));
			}
			if (e.arg(1) != a.arg(1)) {
				d.add(field("lock", value(e.arg(1)), value(a.arg(1))));
			}
			return;
		}
		if (e.syscallNr() != a.syscallNr()) {
			d.add(field("syscall", Syscalls.name(e.syscallNr()), Syscalls.name(a.syscallNr())));
		}
		if (e.argCount() != a.argCount()) {
			d.add(field("argument count", e.argCount(), a.argCount()));
		}
		for (int i = 0; i < Math.max(e.argCount(), a.argCount()); i++) {
			String x = i < e.argCount() ? value(e.arg(i)) : "none";
			String y = i < a.argCount() ? value(a.arg(i)) : "none";
			if (!x.equals(y)) {
				d.add(field("arg" + i, x, y));
			}
		}
	}

	private static void landmarkDifferences(Landmark e, Landmark a, List<String> d) {
		long[] x = e.regs().toArray();
		long[] y = a.regs().toArray();
		for (int i = 0; i < x.length; i++) {
			if (x[i] != y[i]) {
				d.add(field(REGISTERS[i], "0x" + Long.toHexString(x[i]), "0x" + Long.toHexString(y[i])));
			}
		}
		if (e.fsBase() != a.fsBase()) {
			d.add(field("fs base", "0x" + Long.toHexString(e.fsBase()), "0x" + Long.toHexString(a.fsBase())));
		}
		if (e.stackDigest() != a.stackDigest()) {
			d.add(field("stack digest", String.format("%016x", e.stackDigest()), String.format("%016x",
					a.stackDigest())));
		}
		if (!e.words().equals(a.words())) {
			// the replay reads the recorded addresses: a word it could not read is missing from its list
			for (Landmark.Word w : e.words()) {
				String got = a.words().stream().filter(o -> o.address() == w.address()).findFirst()
						.map(o -> "0x" + Long.toHexString(o.value())).orElse("unreadable");
				if (!got.equals("0x" + Long.toHexString(w.value()))) {
					d.add(field(String.format("memory at 0x%x", w.address()), "0x" + Long.toHexString(w.value()), got));
				}
			}
		}
	}

	static String field(String name, Object expected, Object actual) {
		return name + " (expected " + expected + ", got " + actual + ")";
	}
}
