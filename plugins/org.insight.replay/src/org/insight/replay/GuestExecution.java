package org.insight.replay;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A guest run that a session drives step by step. The machine behind it does not know whether it is recorded or
 * replayed: it only talks to the inputs it was launched with. Called on one thread (the vCPU thread).
 */
public interface GuestExecution extends AutoCloseable {
	/**
	 * Runs the guest until it next stops for the machine. Returns false once the guest has ended; exceptions of the
	 * inputs (a {@link DivergenceException}) come out of here unchanged.
	 */
	boolean advance();

	/** How the guest ended; valid once {@link #advance()} returned false. */
	GuestEnding ending();

	/** Frees the machine, whether or not the guest has ended. */
	@Override
	void close();

	/**
	 * An execution for a machine that runs a guest to its end in one call: its only step is the whole run.
	 */
	static GuestExecution whole(Supplier<GuestEnding> run) {
		Objects.requireNonNull(run, "run");
		return new GuestExecution() {
			private GuestEnding ending;

			@Override
			public boolean advance() {
				if (ending == null) {
					ending = Objects.requireNonNull(run.get(), "the run returned no ending");
				}
				return false;
			}

			@Override
			public GuestEnding ending() {
				if (ending == null) {
					throw new IllegalStateException("the guest has not run yet");
				}
				return ending;
			}

			@Override
			public void close() {
			}
		};
	}
}
