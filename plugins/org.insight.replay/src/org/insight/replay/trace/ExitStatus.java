package org.insight.replay.trace;

import java.util.Objects;

import org.insight.vmm.linux.Termination;

/**
 * How the guest process ended: the status a shell sees, the terminating signal (0 when it exited) and the
 * machine's one-line description, which is kept for messages but not compared.
 */
public record ExitStatus(int status, int signal, String description) {
	public ExitStatus {
		Objects.requireNonNull(description, "description");
	}

	public static ExitStatus of(Termination termination) {
		return switch (termination) {
		case Termination.Exited e -> new ExitStatus(e.status(), 0, e.describe());
		case Termination.Signaled s -> new ExitStatus(s.status(), s.signal(), s.describe());
		};
	}

	/** Same status and signal. */
	public boolean sameAs(ExitStatus other) {
		return status == other.status && signal == other.signal;
	}
}
