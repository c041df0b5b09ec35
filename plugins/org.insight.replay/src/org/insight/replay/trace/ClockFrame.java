package org.insight.replay.trace;

import java.util.Objects;

import org.insight.vmm.inputs.ClockRead;

/** A clock read and the nanoseconds the guest got. */
public record ClockFrame(ClockRead question, long nanos) implements Frame {
	public ClockFrame {
		Objects.requireNonNull(question, "question");
	}

	@Override
	public FrameKind kind() {
		return FrameKind.CLOCK;
	}

	@Override
	public String answerText() {
		return nanos + " ns";
	}
}
