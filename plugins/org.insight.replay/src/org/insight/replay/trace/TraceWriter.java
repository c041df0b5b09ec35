package org.insight.replay.trace;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Objects;
import java.util.zip.Deflater;

/**
 * Writes a trace: the header at once, then frames in blocks, then the trailer on {@link #finish}. Only whole blocks
 * reach the file, each with one write call, so a recording killed at any moment leaves a file that reads up to its
 * last whole block. Used by one thread (the vCPU thread).
 */
public final class TraceWriter implements FrameSink, AutoCloseable {
	/**
	 * When a block is cut: after {@code framesPerBlock} frames or {@code bytesPerBlock} encoded bytes, whichever
	 * comes first. {@code syncBlocks} forces each block to the disk (fdatasync) before going on, which survives a
	 * power loss as well as a kill, at a cost.
	 */
	public record Options(int framesPerBlock, int bytesPerBlock, boolean syncBlocks, int compressionLevel) {
		public static final Options DEFAULT = new Options(4096, 256 * 1024, false, Deflater.DEFAULT_COMPRESSION);

		public Options {
			if (framesPerBlock < 1 || framesPerBlock > TraceFormat.MAX_FRAMES_PER_BLOCK || bytesPerBlock < 1
					|| bytesPerBlock > TraceFormat.MAX_BLOCK_BYTES / 2) {
				throw new IllegalArgumentException("block limits out of range: " + framesPerBlock + " frames, "
						+ bytesPerBlock + " bytes");
			}
		}
	}

	private final Path file;
	private final FileChannel channel;
	private final Options options;
	private final Deflater deflater;
	private final FieldWriter pending;
	private final TraceStatistics.Counter statistics = new TraceStatistics.Counter();
	private final long startNanos = System.nanoTime();
	private int pendingFrames;
	private long frameCount;
	private long blockCount;
	private long offset;
	private boolean finished;
	private boolean closed;
	private TraceWriteException failure;

	private TraceWriter(Path file, FileChannel channel, Options options) {
		this.file = file;
		this.channel = channel;
		this.options = options;
		this.deflater = new Deflater(options.compressionLevel());
		this.pending = new FieldWriter(Math.min(options.bytesPerBlock(), 1 << 20) + 1024);
	}

	public static TraceWriter create(Path file, TraceHeader header) {
		return create(file, header, Options.DEFAULT);
	}

	/**
	 * Creates (or replaces) {@code file} and writes the preamble and the header block to it, forced to the disk.
	 *
	 * @throws TraceWriteException when the file cannot be created or written
	 */
	public static TraceWriter create(Path file, TraceHeader header, Options options) {
		return create(file, header, options, Long.MAX_VALUE);
	}

	/**
	 * As {@link #create(Path, TraceHeader, Options)}, but refused before {@code file} is touched (an existing file
	 * stays as it was) when the preamble and header block alone would have {@code maxBytes} bytes or more.
	 *
	 * @throws HeaderOverLimitException when the header reaches {@code maxBytes}
	 */
	public static TraceWriter create(Path file, TraceHeader header, Options options, long maxBytes) {
		Objects.requireNonNull(header, "header");
		Deflater deflater = new Deflater(options.compressionLevel());
		byte[] preamble;
		try {
			FieldWriter fields = new FieldWriter(header.program().binary().size() + 4096);
			HeaderCodec.encodeHeader(header, fields);
			byte[] block = BlockCodec.encode(TraceFormat.TAG_HEADER, 0, fields.buffer(), fields.size(), deflater);
			preamble = ByteBuffer.allocate(TraceFormat.PREAMBLE_SIZE + block.length).order(ByteOrder.LITTLE_ENDIAN)
					.put(TraceFormat.MAGIC).putInt(TraceFormat.VERSION).put(block).array();
		} finally {
			deflater.end();
		}
		if (preamble.length >= maxBytes) {
			throw new HeaderOverLimitException(preamble.length);
		}
		FileChannel channel;
		try {
			channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
					StandardOpenOption.WRITE);
		} catch (IOException e) {
			throw new TraceWriteException(file, "create the trace", e);
		}
		TraceWriter w = new TraceWriter(file, channel, options);
		try {
			w.write(preamble, "write the header");
			w.force("write the header");
		} catch (RuntimeException e) {
			w.close();
			throw e;
		}
		return w;
	}

	/** The header alone reaches the size limit asked for: no file was created or changed. */
	public static final class HeaderOverLimitException extends RuntimeException {
		private static final long serialVersionUID = 1L;
		private final long headerBytes;

		HeaderOverLimitException(long headerBytes) {
			super("the trace's header has " + headerBytes + " bytes");
			this.headerBytes = headerBytes;
		}

		/** The preamble and header block's size. */
		public long headerBytes() {
			return headerBytes;
		}
	}

	/** Appends a frame; cuts a block when the block limits are reached. */
	@Override
	public void append(Frame frame) {
		checkOpen();
		int before = pending.size();
		FrameCodec.encode(frame, pending);
		statistics.add(frame, pending.size() - before);
		pendingFrames++;
		frameCount++;
		if (pendingFrames >= options.framesPerBlock() || pending.size() >= options.bytesPerBlock()) {
			writeBlock();
		}
	}

	/** Writes the frames appended so far as a block now (e.g. before the guest waits for a long time). */
	public void flush() {
		checkOpen();
		writeBlock();
	}

	/**
	 * Writes the last frames and the trailer, forces the file to the disk and closes it.
	 *
	 * @return the trailer written
	 */
	public TraceTrailer finish(GuestOutcome outcome) {
		checkOpen();
		writeBlock();
		TraceTrailer trailer = new TraceTrailer(frameCount, blockCount, outcome, statistics.snapshot(),
				Duration.ofNanos(System.nanoTime() - startNanos));
		FieldWriter fields = new FieldWriter(512);
		HeaderCodec.encodeTrailer(trailer, fields);
		byte[] block = BlockCodec.encode(TraceFormat.TAG_TRAILER, 0, fields.buffer(), fields.size(), deflater);
		write(block, "write the trailer");
		force("write the trailer");
		finished = true;
		close();
		return trailer;
	}

	/**
	 * Writes the pending frames as a last block and closes the file. Without {@link #finish} first, the trace has no
	 * trailer and reads as incomplete, like a recording that was killed.
	 */
	@Override
	public void close() {
		if (closed) {
			return;
		}
		try {
			if (!finished && failure == null) {
				writeBlock();
			}
		} finally {
			closed = true;
			deflater.end();
			try {
				channel.close();
			} catch (IOException e) {
				if (failure == null) {
					failure = new TraceWriteException(file, "close the trace", e);
					throw failure;
				}
			}
		}
	}

	public Path file() {
		return file;
	}

	/** Frames appended so far. */
	public long frameCount() {
		return frameCount;
	}

	/** Frame blocks written so far. */
	public long blockCount() {
		return blockCount;
	}

	/** Bytes in the file so far. */
	public long bytesWritten() {
		return offset;
	}

	public TraceStatistics statistics() {
		return statistics.snapshot();
	}

	private void writeBlock() {
		if (pendingFrames == 0) {
			return;
		}
		byte[] block = BlockCodec.encode(TraceFormat.TAG_FRAMES, pendingFrames, pending.buffer(), pending.size(),
				deflater);
		String operation = "write block " + blockCount + " at byte offset " + offset;
		write(block, operation);
		if (options.syncBlocks()) {
			force(operation);
		}
		statistics.addBlock(block.length);
		blockCount++;
		pending.reset();
		pendingFrames = 0;
	}

	private void write(byte[] bytes, String operation) {
		ByteBuffer buf = ByteBuffer.wrap(bytes);
		try {
			while (buf.hasRemaining()) {
				channel.write(buf);
			}
		} catch (IOException e) {
			failure = new TraceWriteException(file, operation, e);
			throw failure;
		}
		offset += bytes.length;
	}

	private void force(String operation) {
		try {
			channel.force(false);
		} catch (IOException e) {
			failure = new TraceWriteException(file, operation + " (fsync)", e);
			throw failure;
		}
	}

	private void checkOpen() {
		if (failure != null) {
			throw new TraceWriteException(file, "an earlier write failed (" + failure.getMessage()
					+ "); the trace ends at its last whole block");
		}
		if (closed) {
			throw new IllegalStateException("trace " + file + " is already " + (finished ? "finished" : "closed"));
		}
	}
}
