package org.insight.replay.trace;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

import org.insight.symbols.ElfImage;

/**
 * The guest executable, embedded whole so that a recording replays without the original file. {@code name} is the
 * path it was recorded from, for messages only.
 */
public record GuestBinary(String name, byte[] bytes, String sha256, Optional<String> buildId) {
	private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

	public GuestBinary {
		Objects.requireNonNull(name, "name");
		Objects.requireNonNull(buildId, "buildId");
		bytes = bytes.clone();
		if (!SHA256_HEX.matcher(sha256).matches()) {
			throw new IllegalArgumentException("not a lowercase hex SHA-256: " + sha256);
		}
	}

	public static GuestBinary of(ElfImage image) {
		return new GuestBinary(image.file().toString(), image.bytes(), image.sha256(), image.buildId());
	}

	/** A binary given as bytes; its SHA-256 is computed here. */
	public static GuestBinary of(String name, byte[] bytes, Optional<String> buildId) {
		return new GuestBinary(name, bytes, sha256(bytes), buildId);
	}

	/** A copy of the file's bytes. */
	@Override
	public byte[] bytes() {
		return bytes.clone();
	}

	public int size() {
		return bytes.length;
	}

	/** The SHA-256 of the embedded bytes, computed now. */
	public String computedSha256() {
		return sha256(bytes);
	}

	private static String sha256(byte[] bytes) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("SHA-256 is missing from this JDK", e);
		}
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof GuestBinary b && b.name.equals(name) && b.sha256.equals(sha256) && b.buildId.equals(buildId)
				&& Arrays.equals(b.bytes, bytes);
	}

	@Override
	public int hashCode() {
		return Objects.hash(name, sha256, buildId);
	}

	@Override
	public String toString() {
		return "GuestBinary[" + name + ", " + bytes.length + " bytes, sha256 " + sha256 + buildId.map(
				id -> ", build-id " + id).orElse("") + "]";
	}
}
