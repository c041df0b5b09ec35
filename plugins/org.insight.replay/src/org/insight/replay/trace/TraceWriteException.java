package org.insight.replay.trace;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A trace could not be written (disk full, I/O error). Unchecked because it surfaces through
 * {@link org.insight.vmm.inputs.GuestInputs} calls, which cannot declare it; the recording stops there, and the file
 * keeps every block written before.
 */
public final class TraceWriteException extends TraceException {
	private static final long serialVersionUID = 1L;

	TraceWriteException(Path file, String operation, IOException cause) {
		super(file, "cannot " + operation + " of " + file + ": " + cause.getMessage(), cause);
	}

	TraceWriteException(Path file, String problem) {
		super(file, file + ": " + problem, null);
	}
}
