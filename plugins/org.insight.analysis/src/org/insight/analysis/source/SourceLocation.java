package org.insight.analysis.source;

import java.util.List;
import java.util.Objects;

/**
 * Where an address is in the source: its function and file:line, and the functions inlined there (innermost first,
 * {@code frames.get(0)} being the address's own).
 *
 * @param address the address asked about
 * @param frames  the function and line, innermost first; the inlined ones follow
 * @param note    why there is no line, or null
 */
public record SourceLocation(long address, List<Frame> frames, String note) {
	/** A function and its source line; {@code file} null when unknown (then {@code function} is "name+0x1c"). */
	public record Frame(String function, String file, int line) {
		public Frame {
			Objects.requireNonNull(function, "function");
		}

		/** "inversion.c:20", or null. */
		public String fileLine() {
			return file == null ? null : file + ":" + line;
		}
	}

	public SourceLocation {
		frames = List.copyOf(frames);
		if (frames.isEmpty()) {
			throw new IllegalArgumentException("a location has at least one frame");
		}
	}

	/** The innermost frame. */
	public Frame top() {
		return frames.get(0);
	}
}
