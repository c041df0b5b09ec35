package org.insight.replay.trace;

import java.util.List;
import java.util.Objects;

import org.insight.vmm.inputs.SyncPoint;

/**
 * A sync point, the threads that were runnable there (part of the question: a replay that reaches the point with
 * other runnable threads has diverged), and the thread chosen to run next.
 */
public record ScheduleFrame(SyncPoint question, List<Integer> runnable, int chosen) implements Frame {
	public ScheduleFrame {
		Objects.requireNonNull(question, "question");
		runnable = List.copyOf(runnable);
	}

	@Override
	public FrameKind kind() {
		return FrameKind.SCHEDULE;
	}

	/** Whether the chosen thread is not the one that reached the sync point. */
	public boolean switchesThread() {
		return chosen != question.tid();
	}

	@Override
	public String answerText() {
		return "thread " + chosen;
	}
}
