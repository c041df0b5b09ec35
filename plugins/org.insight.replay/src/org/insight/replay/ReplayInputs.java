package org.insight.replay;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.insight.replay.trace.ClockFrame;
import org.insight.replay.trace.Frame;
import org.insight.replay.trace.IdleFrame;
import org.insight.replay.trace.OutputFrame;
import org.insight.replay.trace.PreemptFrame;
import org.insight.replay.trace.RandomFrame;
import org.insight.replay.trace.ScheduleFrame;
import org.insight.replay.trace.StdinFrame;
import org.insight.replay.trace.TscFrame;
import org.insight.vmm.inputs.ClockRead;
import org.insight.vmm.inputs.GuestInputs;
import org.insight.vmm.inputs.IdleWait;
import org.insight.vmm.inputs.OutputWrite;
import org.insight.vmm.inputs.InputQuestion;
import org.insight.vmm.inputs.Preemption;
import org.insight.vmm.inputs.RandomRequest;
import org.insight.vmm.inputs.StdinRead;
import org.insight.vmm.inputs.SyncPoint;
import org.insight.vmm.inputs.TscRead;

/**
 * Inputs answered from a recording. Each question must be the recorded one, field for field (and, at sync points and
 * kicks, with the same runnable threads); any difference, or a question past the end of the recording, throws a
 * {@link DivergenceException}. Nothing here reads the host's clocks, random generator or stdin.
 * <p>
 * Watchdog kicks are the one exception to "same questions in the same order": where a kick lands on the host is
 * not an input the guest saw, only a preemption is. So a recorded kick answered "go on" is skipped, a replay kick that
 * is not the next recorded preemption is answered "go on" without consuming anything, and the machine learns where
 * the next recorded preemption is from {@link #plannedPreemption()} to stop there.
 */
public final class ReplayInputs implements GuestInputs {
	private final Iterator<Frame> frames;
	private Frame head;
	/**
	 * Index of {@link #head} in the trace, or of the next frame to read when there is no head. Written on the vCPU
	 * thread only; volatile for the {@link ReplayWatchdog}, which reads it to see progress.
	 */
	private volatile long headIndex;
	/** Set by the watchdog: the next question ends the replay with this reason. */
	private volatile String stopReason;
	private final Map<Integer, Long> lastSyncIndex = new HashMap<>();
	private long landmarksReached;
	private long kicksIgnored;
	/** The last kick at the planned landmark's rip whose state did not match, and how many there were. */
	private Preemption nearMiss;
	private long nearMissFrame = -1;
	private long nearMisses;
	/** The recording was stopped from outside: past its last frame the replay ends instead of diverging. */
	private boolean stoppedRecording;
	private java.util.function.Supplier<org.insight.vmm.inputs.LockCallCountdown> countdowns =
			org.insight.vmm.inputs.LockCallCountdown::everyCall;

	public ReplayInputs(Iterator<Frame> frames) {
		this.frames = Objects.requireNonNull(frames, "frames");
	}

	public ReplayInputs(Iterable<Frame> frames) {
		this(frames.iterator());
	}

	/** The recording's lock-call countdown (its header's rule and chaos seed); every call is a sync point without it. */
	public ReplayInputs lockCalls(java.util.function.Supplier<org.insight.vmm.inputs.LockCallCountdown> countdowns) {
		this.countdowns = Objects.requireNonNull(countdowns, "countdowns");
		return this;
	}

	@Override
	public org.insight.vmm.inputs.LockCallCountdown lockCallCountdown() {
		return countdowns.get();
	}

	@Override
	public long clockNanos(ClockRead read) {
		return take(read, ClockFrame.class, null, null).nanos();
	}

	@Override
	public long tsc(TscRead read) {
		return take(read, TscFrame.class, null, null).tsc();
	}

	@Override
	public byte[] random(RandomRequest request) {
		return take(request, RandomFrame.class, null, null).bytes();
	}

	@Override
	public int readStdin(StdinRead read, byte[] dst) {
		StdinFrame f = take(read, StdinFrame.class, null, null);
		byte[] data = f.data();
		System.arraycopy(data, 0, dst, 0, data.length);
		return f.result();
	}

	/**
	 * The recorded failure if the next frame is this write's; the whole length when the next frame belongs to a
	 * later write or is another question (the recording's host took these bytes). The replay's own host result is
	 * ignored: the guest must see what it saw when it was recorded.
	 */
	@Override
	public long outputResult(OutputWrite write, long hostResult) {
		checkStop();
		if (peek() instanceof OutputFrame f && f.question().index() <= write.index()) {
			return take(write, OutputFrame.class, null, null).result();
		}
		return write.length();
	}

	@Override
	public int schedule(SyncPoint point, List<Integer> runnable) {
		ScheduleFrame f = take(point, ScheduleFrame.class, runnable, "runnable threads");
		long at = headIndex - 1;
		lastSyncIndex.put(point.tid(), point.index());
		if (!runnable.contains(f.chosen())) {
			// The question matched, so the recorded answer is impossible: the trace was damaged (with fresh CRCs).
			throw new DivergenceException("frame " + at + " (thread " + point.tid() + ", sync point " + point.index()
					+ "): the recording chose thread " + f.chosen() + ", which is not one of the runnable threads "
					+ runnable + "; the trace is damaged", at, List.of("chosen thread (" + f.chosen()
							+ " is not runnable)"));
		}
		return f.chosen();
	}

	/**
	 * Yes for the next recorded preemption, asked with the recorded landmark; "go on" for any other kick. A kick of
	 * the planned thread at the landmark's rip with another state is remembered, so that a divergence that follows
	 * can list the registers that kept it from matching.
	 */
	@Override
	public boolean preempt(Preemption point, List<Integer> otherRunnable) {
		checkStop();
		Frame next = peek();
		if (next == null && stoppedRecording) {
			throw new RecordingExhaustedException(headIndex, "a watchdog kick of thread " + point.tid());
		}
		if (next instanceof PreemptFrame f) {
			if (f.question().equals(point)) {
				take(point, PreemptFrame.class, otherRunnable, "other runnable threads");
				landmarksReached++;
				return true;
			}
			if (f.tid() == point.tid() && f.question().landmark().rip() == point.landmark().rip()) {
				nearMisses = nearMissFrame == headIndex ? nearMisses + 1 : 1;
				nearMiss = point;
				nearMissFrame = headIndex;
			}
		}
		kicksIgnored++;
		return false;
	}

	@Override
	public void idle(IdleWait wait) {
		take(wait, IdleFrame.class, null, null);
	}

	/**
	 * Where the recording preempts next, if that is the next thing it holds: the machine must stop that thread at
	 * the first execution whose state matches the landmark, then ask {@link #preempt}.
	 */
	@Override
	public Optional<Preemption> plannedPreemption() {
		checkStop();
		return peek() instanceof PreemptFrame f ? Optional.of(f.question()) : Optional.empty();
	}

	/**
	 * Says that the recording was stopped from outside (wall-clock limit, cancel) at an arbitrary point: a question
	 * or a kick after its last frame then ends the replay with a {@link RecordingExhaustedException}.
	 */
	public ReplayInputs stoppedRecording(boolean stopped) {
		this.stoppedRecording = stopped;
		return this;
	}

	/**
	 * Ends the replay at the machine's next question or exit (any thread): the {@link ReplayWatchdog} calls this at a
	 * time or stall limit. The machine asks {@link #plannedPreemption()} before every run of the vCPU, so a guest that
	 * exits at all (a watchdog kick included) is stopped at once.
	 */
	public void stop(String reason) {
		stopReason = reason;
	}

	private void checkStop() {
		String reason = stopReason;
		if (reason == null) {
			return;
		}
		stopReason = null; // said once: the session's clean-up must not trip over it again
		long at = headIndex;
		Frame next = peek();
		String where = next == null ? "after the last recorded frame"
				: "at frame " + at + " (" + context(next) + ": " + QuestionText.describe(next.question()) + ")";
		throw new DivergenceException("replay stopped " + where + ": " + reason + "; it does not do what the recording"
				+ " did, or runs far slower than it", at, List.of("stopped: " + reason));
	}

	/** Frames consumed so far, skipped kicks included. */
	public long framesConsumed() {
		return headIndex;
	}

	/** Recorded preemptions the replay reached. */
	public long landmarksReached() {
		return landmarksReached;
	}

	/** Kicks during the replay that were not a recorded preemption (answered "go on"). */
	public long kicksIgnored() {
		return kicksIgnored;
	}

	/**
	 * What the recording still holds when the replay has ended: empty when nothing but skipped kicks is left,
	 * otherwise a phrase naming the next frame and how many are left.
	 */
	public Optional<String> leftOver() {
		Frame next = peek();
		if (next == null) {
			return Optional.empty();
		}
		long at = headIndex;
		long left = 1;
		while (frames.hasNext()) {
			frames.next();
			left++;
		}
		head = null; // the iterator is drained; the replay is over
		return Optional.of("the recording goes on with " + left + " more frames, from frame " + at + " ("
				+ context(next) + "): " + QuestionText.describe(next.question()));
	}

	private <F extends Frame> F take(InputQuestion asked, Class<F> type, List<Integer> runnable,
			String runnableName) {
		checkStop();
		Frame next = peek();
		if (next == null && stoppedRecording) {
			throw new RecordingExhaustedException(headIndex, QuestionText.describe(asked) + " by thread "
					+ asked.tid());
		}
		if (next == null) {
			throw new DivergenceException("frame " + headIndex + ": expected the end of the recording (it holds "
					+ headIndex + " frames), got " + QuestionText.describe(asked) + " by thread " + asked.tid(),
					headIndex, List.of("question (expected none, got " + QuestionText.kindName(asked) + ")"));
		}
		List<String> differences = new ArrayList<>(QuestionText.differences(next.question(), asked));
		if (differences.isEmpty() && runnable != null) {
			List<Integer> recorded = next instanceof ScheduleFrame s ? s.runnable()
					: ((PreemptFrame) next).otherRunnable();
			if (!recorded.equals(runnable)) {
				differences.add(QuestionText.field(runnableName, recorded, runnable));
			}
		}
		if (!differences.isEmpty()) {
			String missed = "";
			if (next instanceof PreemptFrame && nearMissFrame == headIndex) {
				missed = "; the thread reached the landmark's rip " + nearMisses + " times without its recorded"
						+ " state, the last time with: " + String.join(", ",
								QuestionText.differences(next.question(), nearMiss));
			}
			throw new DivergenceException("frame " + headIndex + " (" + context(next) + "): expected "
					+ QuestionText.describe(next.question()) + ", got " + QuestionText.describe(asked)
					+ "; differing fields: " + String.join(", ", differences) + missed, headIndex, differences);
		}
		head = null;
		headIndex++;
		return type.cast(next);
	}

	/** The next frame the guest can be asked about, skipping recorded kicks that did not preempt. */
	private Frame peek() {
		while (true) {
			if (head == null) {
				if (!frames.hasNext()) {
					return null;
				}
				head = frames.next();
			}
			if (head instanceof PreemptFrame f && !f.preempted()) {
				head = null;
				headIndex++;
				continue;
			}
			return head;
		}
	}

	/** "thread 3, sync point 57", or "thread 3, after sync point 56" for a question between sync points. */
	private String context(Frame f) {
		InputQuestion q = f.question();
		return switch (q) {
		case SyncPoint p -> "thread " + p.tid() + ", sync point " + p.index();
		case Preemption p -> "thread " + p.tid() + ", sync point " + p.syncIndex();
		default -> {
			Long last = lastSyncIndex.get(q.tid());
			yield "thread " + q.tid() + (last == null ? ", before its first sync point" : ", after sync point "
					+ last);
		}
		};
	}
}
