package org.insight.replay.trace;

import java.util.Objects;

import org.insight.vmm.inputs.TscRead;

/** An rdtsc or rdtscp and the counter the guest got. */
public record TscFrame(TscRead question, long tsc) implements Frame {
	public TscFrame {
		Objects.requireNonNull(question, "question");
	}

	@Override
	public FrameKind kind() {
		return FrameKind.TSC;
	}

	@Override
	public String answerText() {
		return Long.toUnsignedString(tsc) + " ticks";
	}
}
