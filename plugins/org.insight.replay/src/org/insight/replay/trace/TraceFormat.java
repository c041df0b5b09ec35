package org.insight.replay.trace;

import java.nio.charset.StandardCharsets;

/**
 * The one place that fixes the on-disk layout of a {@code .insight} trace, shared by {@link TraceWriter} and
 * {@link TraceReader}. The layout is written down in TRACE-FORMAT.md next to this bundle; change both together and
 * bump {@link #VERSION} whenever a reader of the old version could misread the new bytes.
 */
public final class TraceFormat {
	private TraceFormat() {
	}

	/** The format version this code writes, and the only one it reads. */
	public static final int VERSION = 1;

	/** The file extension, with its dot. */
	public static final String EXTENSION = ".insight";

	/** The first 8 bytes of every trace: "INSIGHT" and a NUL. */
	static final byte[] MAGIC = "INSIGHT\0".getBytes(StandardCharsets.US_ASCII);

	/** Magic (8) and version (u32). */
	static final int PREAMBLE_SIZE = 12;

	static final byte TAG_HEADER = 'H';
	static final byte TAG_FRAMES = 'F';
	static final byte TAG_TRAILER = 'T';

	/**
	 * Limits a reader enforces before it allocates anything, so a corrupt length cannot make it allocate gigabytes.
	 * The header holds the guest binary, so it may be large; frame blocks are small by construction.
	 */
	static final int MAX_HEADER_BYTES = 1 << 30;
	static final int MAX_BLOCK_BYTES = 1 << 26;
	static final int MAX_TRAILER_BYTES = 1 << 20;
	static final int MAX_FRAMES_PER_BLOCK = 1 << 22;
	static final int MAX_STRING = 1 << 20;
	static final int MAX_STRINGS = 1 << 16;
	static final int MAX_THREADS = 1 << 16;
	static final int MAX_INPUT_BYTES = 1 << 25;

	static String tagName(int tag) {
		return switch (tag) {
		case TAG_HEADER -> "header";
		case TAG_FRAMES -> "frame block";
		case TAG_TRAILER -> "trailer";
		default -> String.format("unknown tag 0x%02x", tag & 0xFF);
		};
	}
}
