package org.insight.vmm.inputs;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Inputs answered by the host: its clocks, its random generator, the run's stdin, and a {@link SchedulingPolicy}.
 * Used on the vCPU thread only. Closing it closes the stdin stream.
 */
public final class LiveInputs implements GuestInputs, AutoCloseable {
	/** TAI is ahead of UTC by 37 s since 2017. */
	private static final long TAI_OFFSET_NANOS = 37_000_000_000L;
	/** An idle wait sleeps at most this long at a time, so the machine notices a stop request or a wall limit. */
	private static final long MAX_IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

	private final InputStream stdin;
	private final SchedulingPolicy policy;
	private final SecureRandom random = new SecureRandom();
	private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
	private final StdinSource stdinSource;
	private IOException stdinFailure;
	/** The last TSC answered: the counter never goes back within a run. */
	private long lastTsc;

	public LiveInputs(StdinSource stdin, SchedulingPolicy policy) throws IOException {
		this.stdinSource = Objects.requireNonNull(stdin, "stdin");
		this.stdin = stdin.open();
		this.policy = Objects.requireNonNull(policy, "policy");
	}

	public StdinSource stdinSource() {
		return stdinSource;
	}

	public SchedulingPolicy policy() {
		return policy;
	}

	/** The current rule, seeded by the chaos seed (round-robin: its own fixed mean, seed 0). */
	@Override
	public LockCallCountdown lockCallCountdown() {
		return LockCallCountdown.of(LockCallCountdown.CURRENT, policy instanceof Chaos c
				? java.util.OptionalLong.of(c.seed()) : java.util.OptionalLong.empty());
	}

	@Override
	public long clockNanos(ClockRead read) {
		return switch (read.clockId()) {
		case ClockRead.CLOCK_REALTIME, ClockRead.CLOCK_REALTIME_COARSE, ClockRead.CLOCK_REALTIME_ALARM -> realtime();
		case ClockRead.CLOCK_TAI -> realtime() + TAI_OFFSET_NANOS;
		// Java's nanoTime is CLOCK_MONOTONIC on Linux; the guest sees the host's monotonic time base.
		case ClockRead.CLOCK_MONOTONIC, ClockRead.CLOCK_MONOTONIC_RAW, ClockRead.CLOCK_MONOTONIC_COARSE,
				ClockRead.CLOCK_BOOTTIME, ClockRead.CLOCK_BOOTTIME_ALARM -> System.nanoTime();
		// The guest runs on the vCPU thread, which asks: its CPU time is the guest's (plus the VMM's share).
		case ClockRead.CLOCK_PROCESS_CPUTIME_ID, ClockRead.CLOCK_THREAD_CPUTIME_ID -> threads.getCurrentThreadCpuTime();
		default -> throw new IllegalArgumentException("live inputs: unknown clock id " + read.clockId() + " in "
				+ read.describe());
		};
	}

	/** The host's monotonic clock scaled to {@link GuestInputs#TSC_HZ}, strictly increasing within the run. */
	@Override
	public long tsc(TscRead read) {
		long ticks = tscTicks(System.nanoTime());
		lastTsc = ticks > lastTsc ? ticks : lastTsc + 1;
		return lastTsc;
	}

	/** CLOCK_MONOTONIC nanoseconds in ticks of {@link GuestInputs#TSC_HZ}. */
	static long tscTicks(long monotonicNanos) {
		long second = 1_000_000_000L;
		return monotonicNanos / second * TSC_HZ + monotonicNanos % second * TSC_HZ / second;
	}

	private static long realtime() {
		Instant now = Instant.now();
		return now.getEpochSecond() * 1_000_000_000L + now.getNano();
	}

	@Override
	public byte[] random(RandomRequest request) {
		byte[] bytes = new byte[request.length()];
		random.nextBytes(bytes);
		return bytes;
	}

	/**
	 * A host read error becomes the guest's EIO (the answer, recorded like any other); the first error is kept for
	 * the run's report ({@link #stdinFailure}).
	 */
	@Override
	public int readStdin(StdinRead read, byte[] dst) {
		if (read.maxBytes() == 0) {
			return 0;
		}
		try {
			int n = stdin.read(dst, 0, read.maxBytes());
			return n < 0 ? 0 : n;
		} catch (IOException e) {
			if (stdinFailure == null) {
				stdinFailure = e;
			}
			return -5; // EIO
		}
	}

	/** The first host error while reading stdin, if any. */
	public java.util.Optional<IOException> stdinFailure() {
		return java.util.Optional.ofNullable(stdinFailure);
	}

	@Override
	public long outputResult(OutputWrite write, long hostResult) {
		return hostResult;
	}

	@Override
	public int schedule(SyncPoint point, List<Integer> runnable) {
		return policy.choose(point, runnable);
	}

	@Override
	public boolean preempt(Preemption point, List<Integer> otherRunnable) {
		return policy.preempt(point, otherRunnable);
	}

	@Override
	public void idle(IdleWait wait) {
		long remaining = wait.deadlineNanos() - System.nanoTime();
		if (remaining > 0) {
			LockSupport.parkNanos(Math.min(remaining, MAX_IDLE_NANOS));
		}
	}

	@Override
	public void close() throws IOException {
		stdin.close();
	}
}
