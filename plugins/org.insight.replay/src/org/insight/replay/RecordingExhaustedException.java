package org.insight.replay;

/**
 * The replay of a recording that was stopped from outside (its wall-clock limit, a cancel) has used every recorded
 * input and the guest asks for more, or runs on where the recording stopped it. The stop itself came at an arbitrary
 * instruction and is not an input, so the replay ends here: every recorded input was checked, and the end state is
 * not compared.
 */
public final class RecordingExhaustedException extends RuntimeException {
	private static final long serialVersionUID = 1L;

	private final long frames;

	public RecordingExhaustedException(long frames, String what) {
		super("the replay used all " + frames + " recorded frames and went on (" + what + ")");
		this.frames = frames;
	}

	/** Frames replayed: all of them. */
	public long frames() {
		return frames;
	}
}
