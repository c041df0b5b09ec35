package org.insight.replay.trace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * What a run left behind that a replay must reproduce: the exit status, the digests of stdout and stderr, and the
 * digest of the final guest memory (empty when the machine could not give one).
 */
public record GuestOutcome(ExitStatus exit, OutputDigest stdout, OutputDigest stderr, byte[] memoryDigest) {
	public GuestOutcome {
		Objects.requireNonNull(exit, "exit");
		Objects.requireNonNull(stdout, "stdout");
		Objects.requireNonNull(stderr, "stderr");
		memoryDigest = memoryDigest.clone();
	}

	@Override
	public byte[] memoryDigest() {
		return memoryDigest.clone();
	}

	public String memoryDigestHex() {
		return memoryDigest.length == 0 ? "none" : HexFormat.of().formatHex(memoryDigest);
	}

	/**
	 * Every way {@code replayed} differs from this recorded outcome, one phrase each, e.g. "stdout differs (recorded
	 * 12 bytes, sha256 ..., replayed 13 bytes, sha256 ...)"; empty when they match.
	 */
	public List<String> differences(GuestOutcome replayed) {
		List<String> d = new ArrayList<>();
		if (!exit.sameAs(replayed.exit)) {
			d.add("exit differs (recorded: " + exit.description() + ", replayed: " + replayed.exit.description() + ")");
		}
		if (!stdout.equals(replayed.stdout)) {
			d.add("stdout differs (recorded " + stdout.describe() + ", replayed " + replayed.stdout.describe() + ")");
		}
		if (!stderr.equals(replayed.stderr)) {
			d.add("stderr differs (recorded " + stderr.describe() + ", replayed " + replayed.stderr.describe() + ")");
		}
		if (!Arrays.equals(memoryDigest, replayed.memoryDigest)) {
			d.add("final memory digest differs (recorded " + memoryDigestHex() + ", replayed "
					+ replayed.memoryDigestHex() + ")");
		}
		return d;
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof GuestOutcome g && g.exit.equals(exit) && g.stdout.equals(stdout)
				&& g.stderr.equals(stderr) && Arrays.equals(g.memoryDigest, memoryDigest);
	}

	@Override
	public int hashCode() {
		return Objects.hash(exit, stdout, stderr, Arrays.hashCode(memoryDigest));
	}

	@Override
	public String toString() {
		return "GuestOutcome[" + exit.description() + ", stdout " + stdout.describe() + ", stderr "
				+ stderr.describe() + ", memory " + memoryDigestHex() + "]";
	}
}
