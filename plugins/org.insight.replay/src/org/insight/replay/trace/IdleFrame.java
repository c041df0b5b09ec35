package org.insight.replay.trace;

import java.util.Objects;

import org.insight.vmm.inputs.IdleWait;

/**
 * The machine idled: every thread was blocked until a timeout. There is no answer to record, but the question is
 * part of the sequence a replay must ask again.
 */
public record IdleFrame(IdleWait question) implements Frame {
	public IdleFrame {
		Objects.requireNonNull(question, "question");
	}

	@Override
	public FrameKind kind() {
		return FrameKind.IDLE;
	}

	@Override
	public String answerText() {
		return "waited";
	}
}
