package org.insight.replay.trace;

import java.nio.file.Path;

/** A trace file that cannot be read or written as a trace; the message names the file and the place. */
public abstract sealed class TraceException extends RuntimeException
		permits TraceFormatException, TraceCorruptException, TraceWriteException {
	private static final long serialVersionUID = 1L;
	private final transient Path file;

	TraceException(Path file, String message, Throwable cause) {
		super(message, cause);
		this.file = file;
	}

	public Path file() {
		return file;
	}
}
