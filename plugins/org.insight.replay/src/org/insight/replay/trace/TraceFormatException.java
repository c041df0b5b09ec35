package org.insight.replay.trace;

import java.nio.file.Path;

/**
 * The file is not a trace this InSight can read: another file type (bad magic), another format version, or a file
 * cut short before its header was whole. Nothing in it can be read.
 */
public final class TraceFormatException extends TraceException {
	private static final long serialVersionUID = 1L;

	TraceFormatException(Path file, String problem) {
		super(file, file + ": " + problem, null);
	}
}
