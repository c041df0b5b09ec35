package org.insight.replay.trace;

import java.nio.file.Path;

/**
 * A block of a trace does not hold what its writer wrote: a CRC32C mismatch, a payload that does not inflate to its
 * stated length, or fields that cannot be decoded. The message names the block and its byte offset in the file.
 */
public final class TraceCorruptException extends TraceException {
	private static final long serialVersionUID = 1L;
	/** Index of the frame block (from 0), {@link #HEADER} for the header block, the block count for the trailer. */
	private final long blockIndex;
	private final long offset;

	/** The block index given for the header block. */
	public static final long HEADER = -1;

	TraceCorruptException(Path file, String block, long blockIndex, long offset, String problem, Throwable cause) {
		super(file, file + ": " + block + " at byte offset " + offset + " is corrupt: " + problem, cause);
		this.blockIndex = blockIndex;
		this.offset = offset;
	}

	static TraceCorruptException inBlock(Path file, long blockIndex, long offset, String problem) {
		return new TraceCorruptException(file, "block " + blockIndex, blockIndex, offset, problem, null);
	}

	static TraceCorruptException inHeader(Path file, long offset, String problem) {
		return new TraceCorruptException(file, "the header block", HEADER, offset, problem, null);
	}

	static TraceCorruptException inTrailer(Path file, long blockIndex, long offset, String problem) {
		return new TraceCorruptException(file, "the trailer (block " + blockIndex + ")", blockIndex, offset, problem,
				null);
	}

	public long blockIndex() {
		return blockIndex;
	}

	/** Byte offset of the block's head in the file. */
	public long offset() {
		return offset;
	}
}
