package org.insight.vmm.inputs;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;

/**
 * Inputs for tests: clocks the test sets, counting random bytes, fixed stdin, and scheduling by a policy the test
 * chooses (round-robin with an endless slice, unless replaced). Every question is kept, in order, so tests can
 * assert what the machine asked.
 */
public final class ScriptedInputs implements GuestInputs {
	public final List<InputQuestion> questions = new ArrayList<>();
	/** CLOCK_MONOTONIC (and the other monotonic clocks), in ns. */
	public long monotonic = 1_000_000_000L;
	/** CLOCK_REALTIME, in ns. */
	public long realtime = 1_700_000_000_000_000_000L;
	/** Added to {@link #monotonic} and {@link #realtime} at each idle wait, as if time passed while waiting. */
	public long idleStep = 1_000_000L;
	private byte nextRandom = 1;
	private byte[] stdin = new byte[0];
	private int stdinOffset;
	/** Keeps the thread across its syscalls, else the next one by tid (round-robin with an endless slice). */
	public BiFunction<SyncPoint, List<Integer>, Integer> schedule = (p, r) -> p.kind() == SyncPoint.Kind.SYSCALL
			&& r.contains(p.tid()) ? p.tid() : RoundRobin.after(p.tid(), r);
	public BiPredicate<Preemption, List<Integer>> preempt = (p, others) -> !others.isEmpty() || p.timersPending();

	/** What {@link #plannedPreemption()} answers (a replay's next recorded preemption), none when null. */
	public Preemption planned;
	/** What {@link #atCapacity()} answers (a recording at its trace size limit). */
	public boolean full;
	/** The lock-call countdowns given to the machine: every call a sync point unless a test says otherwise. */
	public java.util.function.Supplier<LockCallCountdown> countdown = LockCallCountdown::everyCall;

	@Override
	public LockCallCountdown lockCallCountdown() {
		return countdown.get();
	}

	public ScriptedInputs stdin(byte[] data) {
		stdin = data.clone();
		stdinOffset = 0;
		return this;
	}

	/** A TSC of 2 ticks a nanosecond of the scripted monotonic clock, plus one per read so it always grows. */
	@Override
	public long tsc(TscRead read) {
		questions.add(read);
		return 2 * monotonic + questions.size();
	}

	@Override
	public long clockNanos(ClockRead read) {
		questions.add(read);
		return switch (read.clockId()) {
		case ClockRead.CLOCK_REALTIME, ClockRead.CLOCK_REALTIME_COARSE, ClockRead.CLOCK_REALTIME_ALARM -> realtime;
		case ClockRead.CLOCK_TAI -> realtime + 37_000_000_000L;
		case ClockRead.CLOCK_PROCESS_CPUTIME_ID, ClockRead.CLOCK_THREAD_CPUTIME_ID -> 12_345;
		default -> monotonic;
		};
	}

	@Override
	public byte[] random(RandomRequest request) {
		questions.add(request);
		byte[] b = new byte[request.length()];
		for (int i = 0; i < b.length; i++) {
			b[i] = nextRandom++;
		}
		return b;
	}

	@Override
	public int readStdin(StdinRead read, byte[] dst) {
		questions.add(read);
		int n = Math.min(read.maxBytes(), stdin.length - stdinOffset);
		System.arraycopy(stdin, stdinOffset, dst, 0, n);
		stdinOffset += n;
		return n;
	}

	/** What the guest sees of an output write, given the host's result: the host's own, unless replaced. */
	public java.util.function.BiFunction<OutputWrite, Long, Long> output = (w, host) -> host;

	@Override
	public long outputResult(OutputWrite write, long hostResult) {
		questions.add(write);
		return output.apply(write, hostResult);
	}

	@Override
	public int schedule(SyncPoint point, List<Integer> runnable) {
		questions.add(point);
		return schedule.apply(point, List.copyOf(runnable));
	}

	@Override
	public boolean preempt(Preemption point, List<Integer> otherRunnable) {
		questions.add(point);
		return preempt.test(point, List.copyOf(otherRunnable));
	}

	@Override
	public boolean atCapacity() {
		return full;
	}

	@Override
	public Optional<Preemption> plannedPreemption() {
		return Optional.ofNullable(planned);
	}

	@Override
	public void idle(IdleWait wait) {
		questions.add(wait);
		monotonic += idleStep;
		realtime += idleStep;
	}

	/** The questions of one type, in order. */
	public <T extends InputQuestion> List<T> asked(Class<T> type) {
		return questions.stream().filter(type::isInstance).map(type::cast).toList();
	}

	/** The sync points asked so far. */
	public List<SyncPoint> syncPoints() {
		return asked(SyncPoint.class);
	}
}
