package org.insight.replay.trace;

/** Where a recording puts its frames: a {@link TraceWriter}, or a list in tests. */
@FunctionalInterface
public interface FrameSink {
	void append(Frame frame);
}
