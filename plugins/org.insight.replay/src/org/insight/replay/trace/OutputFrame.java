package org.insight.replay.trace;

import java.util.Objects;

import org.insight.vmm.inputs.OutputWrite;

/** An output write the host refused, with the negative errno the guest got. Accepted writes have no frame. */
public record OutputFrame(OutputWrite question, long result) implements Frame {
	public OutputFrame {
		Objects.requireNonNull(question, "question");
		if (result >= 0 && result == question.length()) {
			throw new IllegalArgumentException("an output frame records a refused write, not one of all "
					+ question.length() + " bytes");
		}
		if (result < -4095 || result > question.length()) {
			throw new IllegalArgumentException("output result " + result + " for a write of " + question.length()
					+ " bytes");
		}
	}

	@Override
	public FrameKind kind() {
		return FrameKind.OUTPUT;
	}

	@Override
	public String answerText() {
		return result >= 0 ? result + " bytes" : "errno " + -result;
	}
}
