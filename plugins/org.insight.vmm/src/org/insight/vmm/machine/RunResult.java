package org.insight.vmm.machine;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import org.insight.vmm.linux.LinuxProcess;
import org.insight.vmm.linux.Signals;
import org.insight.vmm.linux.Termination;
import org.insight.vmm.sched.DeadlockReport;

/**
 * How a guest run ended, what it wrote, and its statistics.
 *
 * @param exitStatus what a shell would see: the exit code, 128 + the signal, or {@link #STOPPED_STATUS} when the
 *                   machine stopped the guest (deadlock, wall-clock limit, cancel)
 * @param notes      things worth telling the user (a refused clone or fork, a host I/O error)
 * @param memoryDigest SHA-256 of the guest's final address space (mappings and contents, not frame placement), so
 *                     that a replay can prove it ended in the same memory state; empty when not taken
 */
public record RunResult(int exitStatus, Ending ending, long stdoutBytes, long stderrBytes, RunStats stats,
		List<String> notes, byte[] memoryDigest) {
	/** The status of a run the machine had to stop, as timeout(1) reports one. */
	public static final int STOPPED_STATUS = 124;
	/** How {@link #describe()} names a run the wall-clock limit stopped. */
	public static final String WALL_LIMIT_DESCRIPTION = "stopped at the wall-clock limit";
	/** How {@link #describe()} names a run that was cancelled. */
	public static final String CANCELLED_DESCRIPTION = "cancelled";
	/** How {@link #describe()} names a recording stopped when its trace reached its size limit. */
	public static final String TRACE_LIMIT_DESCRIPTION = "stopped at the trace size limit";

	/**
	 * Whether a run with this status and description was stopped from outside (wall-clock limit, cancel) at an
	 * arbitrary point, rather than ended by the guest or by a deadlock.
	 */
	public static boolean stoppedFromOutside(int status, String description) {
		return status == STOPPED_STATUS && (WALL_LIMIT_DESCRIPTION.equals(description)
				|| CANCELLED_DESCRIPTION.equals(description) || TRACE_LIMIT_DESCRIPTION.equals(description));
	}

	/** Whether {@link #describe()} gave {@code description} to a run that ended at a wait-for cycle over mutexes. */
	public static boolean endedAtWaitForCycle(String description) {
		return description.startsWith(DeadlockReport.CYCLE_PREFIX);
	}

	public RunResult {
		notes = List.copyOf(notes);
		memoryDigest = memoryDigest.clone();
	}

	@Override
	public byte[] memoryDigest() {
		return memoryDigest.clone();
	}

	/** The result of a loop that ended with {@code ending}. */
	public static RunResult of(Ending ending, LinuxProcess process, RunStats stats) {
		return of(ending, process, stats, new byte[0]);
	}

	/** The result of a loop that ended with {@code ending}, with the digest of the final guest memory. */
	public static RunResult of(Ending ending, LinuxProcess process, RunStats stats, byte[] memoryDigest) {
		int status = ending instanceof Ending.Terminated t ? t.termination().status() : STOPPED_STATUS;
		return new RunResult(status, ending, process.bytesWritten(1), process.bytesWritten(2), stats,
				process.notes(), memoryDigest);
	}

	/** The signal that killed the guest, if one did. */
	public OptionalInt signal() {
		return ending instanceof Ending.Terminated t && t.termination() instanceof Termination.Signaled s
				? OptionalInt.of(s.signal()) : OptionalInt.empty();
	}

	/** "SIGSEGV at 0x0 in main+0x1c (...)" when the guest crashed on a fault. */
	public Optional<String> crash() {
		return ending instanceof Ending.Terminated t ? t.crash() : Optional.empty();
	}

	public Optional<DeadlockReport> deadlock() {
		return ending instanceof Ending.Deadlocked d ? Optional.of(d.report()) : Optional.empty();
	}

	public Optional<HangReport> hang() {
		return ending instanceof Ending.Stopped s ? Optional.of(s.report()) : Optional.empty();
	}

	/** One line: "exited with status 0", "killed by SIGABRT: ...", "deadlock: 2 threads blocked". */
	public String describe() {
		return switch (ending) {
		case Ending.Terminated t -> t.crash().map(c -> "killed by " + c).orElse(t.termination().describe());
		case Ending.Deadlocked d -> d.report().describe();
		case Ending.Stopped s -> switch (s.report().reason()) {
		case WALL_LIMIT -> WALL_LIMIT_DESCRIPTION;
		case TRACE_LIMIT -> TRACE_LIMIT_DESCRIPTION;
		case CANCELLED -> CANCELLED_DESCRIPTION;
		};
		};
	}

	/** The ending with its report and notes, for a terminal. */
	public String format() {
		StringBuilder s = new StringBuilder(describe()).append(System.lineSeparator());
		deadlock().ifPresent(d -> s.append(d.format()));
		hang().ifPresent(h -> s.append(h.format()));
		for (String n : notes) {
			s.append("note: ").append(n).append(System.lineSeparator());
		}
		return s.toString();
	}

	@Override
	public String toString() {
		return "RunResult[status " + exitStatus + ", " + describe()
				+ (signal().isPresent() ? " (" + Signals.name(signal().getAsInt()) + ")" : "") + "]";
	}
}
