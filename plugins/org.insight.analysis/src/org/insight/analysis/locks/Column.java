package org.insight.analysis.locks;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * A column of the lock profile, by which it can be sorted (largest first), named as on the command line
 * ({@code --sort wait-total}).
 */
public enum Column {
	ACQUISITIONS(false, "acquisitions", LockStats::acquisitions),
	CONTENDED(false, "contended", LockStats::contended),
	FAILED_TRYLOCKS(false, "failed-trylocks", LockStats::failedTrylocks),
	WAIT_TOTAL(true, "wait-total", LockStats::waitTotal),
	WAIT_MAX(true, "wait-max", LockStats::waitMax),
	WAIT_MEAN(true, "wait-mean", LockStats::waitMean),
	HOLD_TOTAL(true, "hold-total", LockStats::holdTotal),
	HOLD_MAX(true, "hold-max", LockStats::holdMax),
	HOLD_MEAN(true, "hold-mean", LockStats::holdMean),
	HELD_AT_EXIT(false, "held-at-exit", LockStats::heldAtExit);

	private final boolean time;
	private final String label;
	private final ToLongFunction<LockStats> value;

	Column(boolean time, String label, ToLongFunction<LockStats> value) {
		this.time = time;
		this.label = label;
		this.value = value;
	}

	/** Whether it is a time (virtual nanoseconds) rather than a count. */
	public boolean time() {
		return time;
	}

	/** Its name on the command line and in the reports' headers. */
	public String label() {
		return label;
	}

	/** This column's value in {@code s}. */
	public long of(LockStats s) {
		return value.applyAsLong(s);
	}

	/** Largest first; ties by more acquisitions, then by more contended ones. */
	Comparator<LockStats> order() {
		return Comparator.comparingLong(this::of).reversed().thenComparing(Comparator.comparingLong(
				LockStats::acquisitions).reversed()).thenComparing(Comparator.comparingLong(LockStats::contended)
						.reversed());
	}

	/** The column named {@code label} ("wait-total"), if any. */
	public static Optional<Column> parse(String label) {
		return Arrays.stream(values()).filter(c -> c.label.equals(label)).findFirst();
	}

	/** Every column's name, in order. */
	public static List<String> labels() {
		return Arrays.stream(values()).map(Column::label).toList();
	}
}
