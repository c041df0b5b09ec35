package org.insight.replay;

import java.util.List;

/**
 * A replay did not do what the recording did: the machine asked another question than the recorded one, asked past
 * the end of the recording, or ended with other outputs or memory. Never ignored: a replay that diverged is not the
 * recorded execution. The message names the frame and lists every differing field.
 */
public final class DivergenceException extends RuntimeException {
	private static final long serialVersionUID = 1L;
	private final long frame;
	private final List<String> differences;

	DivergenceException(String message, long frame, List<String> differences) {
		super(message);
		this.frame = frame;
		this.differences = List.copyOf(differences);
	}

	/** Index (from 0) of the frame where the replay diverged; at the end of a replay, the count of frames replayed. */
	public long frame() {
		return frame;
	}

	/** One phrase per differing field, e.g. "arg0 (expected 0x4c6f00, got 1)". */
	public List<String> differences() {
		return differences;
	}
}
