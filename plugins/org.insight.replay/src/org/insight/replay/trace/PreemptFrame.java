package org.insight.replay.trace;

import java.util.List;
import java.util.Objects;

import org.insight.vmm.inputs.Preemption;

/**
 * A watchdog kick, the other runnable threads at that moment, and whether the thread was preempted there. A yes
 * makes the kick's landmark a place the replay must stop at; a no changed nothing in the guest.
 */
public record PreemptFrame(Preemption question, List<Integer> otherRunnable, boolean preempted) implements Frame {
	public PreemptFrame {
		Objects.requireNonNull(question, "question");
		otherRunnable = List.copyOf(otherRunnable);
	}

	@Override
	public FrameKind kind() {
		return FrameKind.PREEMPT;
	}

	@Override
	public String answerText() {
		return preempted ? "preempt" : "go on";
	}
}
