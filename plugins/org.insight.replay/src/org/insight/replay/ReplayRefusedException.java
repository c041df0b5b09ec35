package org.insight.replay;

import java.nio.file.Path;

/**
 * A recording that cannot be replayed here: it is incomplete, it was made on another CPU model, or the binary given
 * for it is not the recorded one. The message says which and what to do.
 */
public final class ReplayRefusedException extends RuntimeException {
	private static final long serialVersionUID = 1L;
	private final transient Path trace;

	ReplayRefusedException(Path trace, String reason) {
		super("cannot replay " + trace + ": " + reason);
		this.trace = trace;
	}

	public Path trace() {
		return trace;
	}
}
