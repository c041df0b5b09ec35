package org.insight.vmm.inputs;

/**
 * A read of a guest clock: by a clock syscall ({@link Purpose#SYSCALL}) or by the scheduler when it computes or
 * checks a timeout ({@link Purpose#TIMEOUT}). Clock ids are Linux's ({@code CLOCK_REALTIME} = 0, ...).
 */
public record ClockRead(int tid, int clockId, Purpose purpose) implements InputQuestion {
	public enum Purpose {
		/** clock_gettime, gettimeofday, time. */
		SYSCALL,
		/** A deadline computed or checked by the scheduler (futex timeouts, nanosleep). */
		TIMEOUT
	}

	public static final int CLOCK_REALTIME = 0;
	public static final int CLOCK_MONOTONIC = 1;
	public static final int CLOCK_PROCESS_CPUTIME_ID = 2;
	public static final int CLOCK_THREAD_CPUTIME_ID = 3;
	public static final int CLOCK_MONOTONIC_RAW = 4;
	public static final int CLOCK_REALTIME_COARSE = 5;
	public static final int CLOCK_MONOTONIC_COARSE = 6;
	public static final int CLOCK_BOOTTIME = 7;
	public static final int CLOCK_REALTIME_ALARM = 8;
	public static final int CLOCK_BOOTTIME_ALARM = 9;
	public static final int CLOCK_TAI = 11;

	public ClockRead {
		if (purpose == null) {
			throw new IllegalArgumentException("clock read without a purpose");
		}
	}

	/** Linux's name of a clock id, or "clock N". */
	public static String clockName(int clockId) {
		return switch (clockId) {
		case CLOCK_REALTIME -> "CLOCK_REALTIME";
		case CLOCK_MONOTONIC -> "CLOCK_MONOTONIC";
		case CLOCK_PROCESS_CPUTIME_ID -> "CLOCK_PROCESS_CPUTIME_ID";
		case CLOCK_THREAD_CPUTIME_ID -> "CLOCK_THREAD_CPUTIME_ID";
		case CLOCK_MONOTONIC_RAW -> "CLOCK_MONOTONIC_RAW";
		case CLOCK_REALTIME_COARSE -> "CLOCK_REALTIME_COARSE";
		case CLOCK_MONOTONIC_COARSE -> "CLOCK_MONOTONIC_COARSE";
		case CLOCK_BOOTTIME -> "CLOCK_BOOTTIME";
		case CLOCK_REALTIME_ALARM -> "CLOCK_REALTIME_ALARM";
		case CLOCK_BOOTTIME_ALARM -> "CLOCK_BOOTTIME_ALARM";
		case CLOCK_TAI -> "CLOCK_TAI";
		default -> "clock " + clockId;
		};
	}

	@Override
	public String describe() {
		return "read of " + clockName(clockId) + " for a " + purpose.name().toLowerCase() + " by thread " + tid;
	}
}
