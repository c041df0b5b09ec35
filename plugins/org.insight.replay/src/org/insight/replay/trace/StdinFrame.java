package org.insight.replay.trace;

import java.util.Arrays;
import java.util.Objects;

import org.insight.vmm.inputs.StdinRead;

/**
 * A read of stdin and its result: the count of bytes read (0 at end of input) with those bytes, or a negative
 * Linux errno with no bytes.
 */
public record StdinFrame(StdinRead question, int result, byte[] data) implements Frame {
	public StdinFrame {
		Objects.requireNonNull(question, "question");
		if (result > question.maxBytes() || data.length != Math.max(result, 0)) {
			throw new IllegalArgumentException("stdin frame with result " + result + " and " + data.length
					+ " bytes for a read of at most " + question.maxBytes());
		}
		data = data.clone();
	}

	/** A copy. */
	@Override
	public byte[] data() {
		return data.clone();
	}

	@Override
	public FrameKind kind() {
		return FrameKind.STDIN;
	}

	@Override
	public String answerText() {
		return result >= 0 ? result + " bytes" : "errno " + -result;
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof StdinFrame f && f.question.equals(question) && f.result == result
				&& Arrays.equals(f.data, data);
	}

	@Override
	public int hashCode() {
		return Objects.hash(question, result, Arrays.hashCode(data));
	}

	@Override
	public String toString() {
		return "StdinFrame[" + question + ", " + answerText() + "]";
	}
}
