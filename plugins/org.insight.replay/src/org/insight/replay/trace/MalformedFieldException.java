package org.insight.replay.trace;

/** A field of a payload that passed its CRC but cannot be what the writer wrote; always rethrown with a place. */
final class MalformedFieldException extends RuntimeException {
	private static final long serialVersionUID = 1L;
	private final int position;

	MalformedFieldException(int position, String problem) {
		super(problem);
		this.position = position;
	}

	/** Byte position inside the raw (inflated) payload. */
	int position() {
		return position;
	}
}
