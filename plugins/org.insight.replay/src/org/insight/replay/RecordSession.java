package org.insight.replay;

import java.nio.file.Path;
import java.util.Optional;

import org.insight.replay.trace.GuestOutcome;
import org.insight.replay.trace.TraceHeader;
import org.insight.replay.trace.TraceTrailer;
import org.insight.replay.trace.TraceWriter;
import org.insight.vmm.inputs.GuestInputs;
import org.insight.vmm.linux.OutputSink;

/**
 * Records a guest run: the machine gets {@link RecordingInputs} over the live inputs, every answer goes to the
 * trace, and when the guest ends the trailer (exit status, output and memory digests, statistics) closes it. A
 * session closed before the guest ended leaves an incomplete trace, readable up to its last whole block.
 */
public final class RecordSession extends Session {
	private final TraceWriter writer;
	private final RecordingInputs inputs;
	private TraceTrailer trailer;

	private RecordSession(TraceHeader header, OutputSink output, TraceWriter writer, GuestInputs live,
			long maxTraceBytes) {
		super(header, output);
		this.writer = writer;
		this.inputs = new RecordingInputs(live, writer, () -> writer.bytesWritten() >= maxTraceBytes);
	}

	/** Starts recording into {@code trace} (replaced if it exists) with the default block limits. */
	public static RecordSession start(Path trace, TraceHeader header, GuestInputs live, OutputSink output,
			GuestLauncher launcher) {
		return start(trace, header, live, output, launcher, TraceWriter.Options.DEFAULT);
	}

	/**
	 * Writes the trace's header and launches the guest with recording inputs over {@code live}. The caller still
	 * owns {@code live} (and closes it after the session).
	 */
	public static RecordSession start(Path trace, TraceHeader header, GuestInputs live, OutputSink output,
			GuestLauncher launcher, TraceWriter.Options options) {
		return start(trace, header, live, output, launcher, options, Long.MAX_VALUE);
	}

	/**
	 * As {@link #start(Path, TraceHeader, GuestInputs, OutputSink, GuestLauncher, TraceWriter.Options)}, and the
	 * guest is stopped (as at a wall-clock limit, "stopped at the trace size limit") once the trace file has
	 * {@code maxTraceBytes} bytes: the recording ends complete, with its trailer, a block or so past the limit, and
	 * replays up to that point.
	 */
	public static RecordSession start(Path trace, TraceHeader header, GuestInputs live, OutputSink output,
			GuestLauncher launcher, TraceWriter.Options options, long maxTraceBytes) {
		if (maxTraceBytes <= 0) {
			throw new IllegalArgumentException("a trace size limit must be positive: " + maxTraceBytes);
		}
		TraceWriter writer;
		try {
			// refused before the file is created: an earlier recording at that path stays as it was
			writer = TraceWriter.create(trace, header, options, maxTraceBytes);
		} catch (TraceWriter.HeaderOverLimitException e) {
			throw new TraceLimitTooSmallException(e.headerBytes(), maxTraceBytes);
		}
		RecordSession session = new RecordSession(header, output, writer, live, maxTraceBytes);
		try {
			session.launch(launcher, session.inputs);
		} catch (RuntimeException e) {
			session.close();
			throw e;
		}
		return session;
	}

	/** A trace size limit that the trace's header (which embeds the program) already reaches: nothing was run. */
	public static final class TraceLimitTooSmallException extends RuntimeException {
		private static final long serialVersionUID = 1L;
		private final long headerBytes;

		TraceLimitTooSmallException(long headerBytes, long limit) {
			super("the trace's header alone has " + headerBytes + " bytes (it embeds the program), which reaches the"
					+ " trace size limit of " + limit + " bytes");
			this.headerBytes = headerBytes;
		}

		public long headerBytes() {
			return headerBytes;
		}
	}

	@Override
	void finish(GuestOutcome outcome) {
		trailer = writer.finish(outcome);
	}

	@Override
	void closeTrace() {
		writer.close();
	}

	@Override
	public long frames() {
		return writer.frameCount();
	}

	public Path trace() {
		return writer.file();
	}

	/** The trailer written, once the guest has ended. */
	public Optional<TraceTrailer> trailer() {
		return Optional.ofNullable(trailer);
	}

	/** Bytes written to the trace so far. */
	public long traceBytes() {
		return writer.bytesWritten();
	}
}
