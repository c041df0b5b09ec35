package org.insight.replay.trace;

/** The kinds of frame, one per kind of input question. The code is the frame's first byte on disk. */
public enum FrameKind {
	CLOCK(1, "clock reads"),
	RANDOM(2, "random requests"),
	STDIN(3, "stdin reads"),
	SCHEDULE(4, "sync points"),
	PREEMPT(5, "watchdog kicks"),
	IDLE(6, "idle waits"),
	OUTPUT(7, "refused output writes"),
	TSC(9, "TSC reads");

	private final int code;
	private final String label;

	FrameKind(int code, String label) {
		this.code = code;
		this.label = label;
	}

	public int code() {
		return code;
	}

	/** Plural noun for statistics: "clock reads". */
	public String label() {
		return label;
	}

	static FrameKind ofCode(int code) {
		for (FrameKind k : values()) {
			if (k.code == code) {
				return k;
			}
		}
		return null;
	}
}
