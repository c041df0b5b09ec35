package org.insight.replay.trace;

import org.insight.vmm.inputs.InputQuestion;

/**
 * One answered input question: the question exactly as the machine asked it, and the answer the guest got. Frames
 * are small immutable values; a trace is the sequence of them in the order the machine asked.
 */
public sealed interface Frame permits ClockFrame, RandomFrame, StdinFrame, ScheduleFrame, PreemptFrame, IdleFrame,
		OutputFrame, TscFrame {
	FrameKind kind();

	/** The question as it was asked. */
	InputQuestion question();

	/** The thread on whose behalf the question was asked. */
	default int tid() {
		return question().tid();
	}

	/** The answer, for messages: "1700000000123456789 ns", "thread 3". */
	String answerText();
}
