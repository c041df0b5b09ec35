package org.insight.replay.trace;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/** The length and SHA-256 of everything the guest wrote to one stream. */
public record OutputDigest(long bytes, byte[] sha256) {
	public OutputDigest {
		if (bytes < 0 || sha256.length != 32) {
			throw new IllegalArgumentException("output digest of " + bytes + " bytes with a " + sha256.length
					+ "-byte SHA-256");
		}
		sha256 = sha256.clone();
	}

	@Override
	public byte[] sha256() {
		return sha256.clone();
	}

	public String hex() {
		return HexFormat.of().formatHex(sha256);
	}

	/** "123 bytes, sha256 ab12...". */
	public String describe() {
		return bytes + " bytes, sha256 " + hex();
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof OutputDigest d && d.bytes == bytes && Arrays.equals(d.sha256, sha256);
	}

	@Override
	public int hashCode() {
		return Objects.hash(bytes, Arrays.hashCode(sha256));
	}

	@Override
	public String toString() {
		return "OutputDigest[" + describe() + "]";
	}
}
