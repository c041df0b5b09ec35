package org.insight.replay.trace;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

import org.insight.vmm.inputs.RandomRequest;

/** A request for random bytes and the bytes the guest got (exactly as many as asked). */
public record RandomFrame(RandomRequest question, byte[] bytes) implements Frame {
	public RandomFrame {
		Objects.requireNonNull(question, "question");
		if (bytes.length != question.length()) {
			throw new IllegalArgumentException(
					"random frame holds " + bytes.length + " bytes for a request of " + question.length());
		}
		bytes = bytes.clone();
	}

	/** A copy. */
	@Override
	public byte[] bytes() {
		return bytes.clone();
	}

	@Override
	public FrameKind kind() {
		return FrameKind.RANDOM;
	}

	@Override
	public String answerText() {
		return bytes.length <= 16 ? HexFormat.of().formatHex(bytes)
				: HexFormat.of().formatHex(bytes, 0, 16) + "... (" + bytes.length + " bytes)";
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof RandomFrame f && f.question.equals(question) && Arrays.equals(f.bytes, bytes);
	}

	@Override
	public int hashCode() {
		return Objects.hash(question, Arrays.hashCode(bytes));
	}

	@Override
	public String toString() {
		return "RandomFrame[" + question + ", " + answerText() + "]";
	}
}
