package org.insight.replay;

import java.util.Arrays;
import java.util.Objects;

import org.insight.replay.trace.ExitStatus;
import org.insight.vmm.linux.Termination;

/**
 * How a guest run ended, as the machine reports it: the exit status (a termination, or a deadlock or stop the
 * machine reports with its own status) and a digest of the final guest memory (SHA-256, empty if the machine cannot
 * give one). The session adds the output digests itself.
 */
public record GuestEnding(ExitStatus exit, byte[] memoryDigest) {
	public GuestEnding {
		Objects.requireNonNull(exit, "exit");
		memoryDigest = memoryDigest.clone();
	}

	/** The guest process ended by itself (exit, or a signal). */
	public static GuestEnding of(Termination termination, byte[] memoryDigest) {
		return new GuestEnding(ExitStatus.of(termination), memoryDigest);
	}

	@Override
	public byte[] memoryDigest() {
		return memoryDigest.clone();
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof GuestEnding e && e.exit.equals(exit) && Arrays.equals(e.memoryDigest, memoryDigest);
	}

	@Override
	public int hashCode() {
		return Objects.hash(exit, Arrays.hashCode(memoryDigest));
	}
}
