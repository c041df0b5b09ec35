package org.insight.replay;

import java.util.Objects;
import java.util.Optional;

import org.insight.replay.trace.GuestOutcome;
import org.insight.replay.trace.TraceHeader;
import org.insight.vmm.inputs.GuestInputs;
import org.insight.vmm.linux.OutputSink;

/**
 * A guest run driven step by step: recorded ({@link RecordSession}) or replayed ({@link ReplaySession}). Each
 * {@link #step()} lets the guest run to its next stop; the step that sees the guest end completes the session (the
 * recording writes its trailer, the replay verifies). Used on one thread.
 */
public abstract sealed class Session implements AutoCloseable permits RecordSession, ReplaySession {
	/** What a step left behind. */
	public enum Status {
		/** The guest can go on: call {@link Session#step()} again. */
		RUNNING,
		/** The guest has ended and the session is complete. */
		FINISHED
	}

	private enum State {
		NEW, RUNNING, FINISHED, FAILED
	}

	private final TraceHeader header;
	private final OutputDigester output;
	private GuestExecution execution;
	private State state = State.NEW;
	private long steps;
	private GuestOutcome outcome;

	Session(TraceHeader header, OutputSink output) {
		this.header = Objects.requireNonNull(header, "header");
		this.output = new OutputDigester(Objects.requireNonNull(output, "output"));
	}

	final void launch(GuestLauncher launcher, GuestInputs inputs) {
		execution = Objects.requireNonNull(
				launcher.launch(header.program(), header.config(), inputs, output), "the launcher returned nothing");
		state = State.RUNNING;
	}

	/**
	 * Lets the guest run to its next stop.
	 *
	 * @throws DivergenceException  (replay) when the guest did not do what was recorded
	 * @throws IllegalStateException after a step failed
	 */
	public final Status step() {
		switch (state) {
		case FINISHED:
			return Status.FINISHED;
		case FAILED:
			throw new IllegalStateException("the session failed in an earlier step; it cannot go on");
		case NEW:
			throw new IllegalStateException("the session was not launched");
		case RUNNING:
			break;
		}
		try {
			steps++;
			if (execution.advance()) {
				return Status.RUNNING;
			}
			GuestEnding ending = execution.ending();
			GuestOutcome o = new GuestOutcome(ending.exit(), output.stdout(), output.stderr(),
					ending.memoryDigest());
			finish(o);
			outcome = o;
			state = State.FINISHED;
			return Status.FINISHED;
		} catch (RecordingExhaustedException e) {
			if (!endedWithTheRecording(e)) {
				state = State.FAILED;
				throw e;
			}
			state = State.FINISHED;
			return Status.FINISHED;
		} catch (RuntimeException | Error e) {
			state = State.FAILED;
			throw e;
		}
	}

	/** Steps until the guest has ended; returns its outcome. */
	public final GuestOutcome run() {
		while (step() == Status.RUNNING) {
			// each step already did the work
		}
		return outcome;
	}

	/** The guest's outcome, once finished. */
	public final Optional<GuestOutcome> outcome() {
		return Optional.ofNullable(outcome);
	}

	public final boolean finished() {
		return state == State.FINISHED;
	}

	/** Steps taken so far. */
	public final long steps() {
		return steps;
	}

	public final TraceHeader header() {
		return header;
	}

	/** Frames recorded or replayed so far. */
	public abstract long frames();

	/**
	 * A replay of a recording that was stopped from outside has used all its inputs: whether that ends the session
	 * as verified (the outcome stays empty: the recorded end state is not reproduced).
	 */
	boolean endedWithTheRecording(RecordingExhaustedException e) {
		return false;
	}

	/** Completes the session when the guest has ended with {@code outcome}. */
	abstract void finish(GuestOutcome outcome);

	/** Closes what the subclass holds (the trace file). */
	abstract void closeTrace();

	/** Stops the guest if it still runs and closes the trace. */
	@Override
	public final void close() {
		try {
			if (execution != null) {
				execution.close();
			}
		} finally {
			closeTrace();
		}
	}
}
