package org.insight.vmm.inputs;

import java.util.OptionalLong;
import java.util.SplittableRandom;

/**
 * Which lock calls of {@code --mode locks} are sync points (ARCHITECTURE.md section 3, "Lock calls through stubs").
 * Every lock call is counted, in the guest's stubs or by the VMM at an int3; when the countdown runs out, that call is
 * a sync point, and the countdown is set again to the next number this rule draws. The numbers come from the recording's
 * own settings (its chaos seed), never from the host, so a recording and its replay draw the same ones and no input is
 * recorded: the trace header names the rule.
 * <p>
 * Rule {@link #EVERY_CALL} makes every call a sync point: what recordings made before the countdown hold (their
 * header names no rule). Rule {@link #GEOMETRIC} draws each distance from a geometric distribution: under chaos with
 * mean {@link #CHAOS_MEAN}, so a switch before a lock call comes as often, and as unpredictably, as when chaos switched
 * out a quarter of the calls one by one; under round-robin with mean {@link #ROUND_ROBIN_MEAN}, where a lock-call sync
 * point only checks the time slice.
 */
public final class LockCallCountdown {
	/** The rule of recordings made before the countdown: every lock call is a sync point. */
	public static final int EVERY_CALL = 0;
	/** Geometric distances, seeded by the chaos seed (0 without chaos). */
	public static final int GEOMETRIC = 1;
	/** The rule new recordings use. */
	public static final int CURRENT = GEOMETRIC;
	/** Mean distance between lock-call sync points under chaos: 1 / {@code Chaos.SWITCH_AT_LOCK_CALL}. */
	public static final int CHAOS_MEAN = 4;
	/** Mean distance under round-robin. */
	public static final int ROUND_ROBIN_MEAN = 64;
	/** No distance is longer than this many means (the draw is a loop of coin flips). */
	private static final int MAX_MEANS = 64;
	private static final long SALT = 0x6c6f_636b_6361_6c6cL; // "lockcall": not the chaos policy's own sequence

	private final int rule;
	private final int mean;
	private final SplittableRandom random;

	private LockCallCountdown(int rule, int mean, long seed) {
		this.rule = rule;
		this.mean = mean;
		this.random = new SplittableRandom(seed ^ SALT);
	}

	/**
	 * The countdown of rule {@code rule} for a recording with chaos seed {@code chaosSeed} (empty: round-robin).
	 *
	 * @throws IllegalArgumentException for a rule this version does not know
	 */
	public static LockCallCountdown of(int rule, OptionalLong chaosSeed) {
		return switch (rule) {
		case EVERY_CALL -> new LockCallCountdown(rule, 1, 0);
		case GEOMETRIC -> new LockCallCountdown(rule, chaosSeed.isPresent() ? CHAOS_MEAN : ROUND_ROBIN_MEAN,
				chaosSeed.orElse(0));
		default -> throw new IllegalArgumentException("unknown lock-call countdown rule " + rule);
		};
	}

	/** Every call a sync point. */
	public static LockCallCountdown everyCall() {
		return of(EVERY_CALL, OptionalLong.empty());
	}

	public int rule() {
		return rule;
	}

	/** The mean distance between lock-call sync points. */
	public int mean() {
		return mean;
	}

	/** The next distance: at least 1 (the next call), at most {@link #MAX_MEANS} means. */
	public long next() {
		long n = 1;
		// Integer coin flips rather than a logarithm: the same numbers on every JVM and platform.
		while (mean > 1 && n < (long) MAX_MEANS * mean && random.nextInt(mean) != 0) {
			n++;
		}
		return n;
	}
}
