package org.insight.replay.trace;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.zip.Inflater;

import org.insight.replay.trace.BlockCodec.BlockException;
import org.insight.replay.trace.BlockCodec.Head;

/**
 * Reads a trace. {@link #open} checks the preamble, reads the header and walks the block heads to the trailer,
 * so completeness is known at once; the frames are read (and their CRCs checked) block by block as they are
 * iterated. A file cut short reads up to its last whole block and is {@linkplain #complete() incomplete}.
 */
public final class TraceReader implements AutoCloseable {
	/** A frame block: its index (from 0), where it starts, its size on disk, and the frames it holds. */
	public record Block(long index, long offset, long size, int frameCount, long firstFrame) {
	}

	private final Path file;
	private final FileChannel channel;
	private final long fileSize;
	private final Inflater inflater = new Inflater();
	private final List<Block> blocks = new ArrayList<>();
	private final List<Head> heads = new ArrayList<>();
	private TraceHeader header;
	private TraceTrailer trailer;
	private String incompleteReason;
	private long readableEnd;

	private TraceReader(Path file, FileChannel channel, long fileSize) {
		this.file = file;
		this.channel = channel;
		this.fileSize = fileSize;
	}

	/**
	 * Opens {@code file}, reads its header and finds its blocks and trailer.
	 *
	 * @throws TraceFormatException  when it is not a trace, has another format version, or ends inside its header
	 * @throws TraceCorruptException when the header, a block head or the trailer is damaged
	 * @throws IOException           when it cannot be read
	 */
	public static TraceReader open(Path file) throws IOException {
		FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
		TraceReader r = new TraceReader(file, channel, channel.size());
		try {
			r.readHeader();
			r.scanBlocks();
		} catch (IOException | RuntimeException e) {
			r.close();
			throw e;
		}
		return r;
	}

	private void readHeader() throws IOException {
		byte[] preamble = new byte[(int) Math.min(fileSize, TraceFormat.PREAMBLE_SIZE)];
		readFully(0, preamble);
		for (int i = 0; i < Math.min(preamble.length, TraceFormat.MAGIC.length); i++) {
			if (preamble[i] != TraceFormat.MAGIC[i]) {
				throw new TraceFormatException(file, "not an InSight trace: it starts with "
						+ HexFormat.ofDelimiter(" ").formatHex(preamble, 0, Math.min(preamble.length, 8))
						+ ", a trace starts with \"INSIGHT\\0\" (49 4e 53 49 47 48 54 00)");
			}
		}
		if (preamble.length < TraceFormat.PREAMBLE_SIZE) {
			throw truncatedHeader(fileSize + " of the " + TraceFormat.PREAMBLE_SIZE + " bytes of the preamble");
		}
		int version = ByteBuffer.wrap(preamble, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
		if (version != TraceFormat.VERSION) {
			throw new TraceFormatException(file, "trace format version " + Integer.toUnsignedString(version)
					+ ", but this InSight reads version " + TraceFormat.VERSION + " only"
					+ (version > TraceFormat.VERSION ? " (recorded by a newer InSight)" : ""));
		}
		long at = TraceFormat.PREAMBLE_SIZE;
		if (fileSize - at < BlockCodec.HEAD_SIZE) {
			throw truncatedHeader((fileSize - at) + " of the " + BlockCodec.HEAD_SIZE + " bytes of the header's head");
		}
		Head head;
		try {
			head = BlockCodec.decodeHead(readBytes(at, BlockCodec.HEAD_SIZE), TraceFormat.MAX_HEADER_BYTES);
		} catch (BlockException e) {
			throw TraceCorruptException.inHeader(file, at, e.getMessage());
		}
		if (head.tag() != TraceFormat.TAG_HEADER) {
			throw TraceCorruptException.inHeader(file, at, "the first block is a " + TraceFormat.tagName(head.tag())
					+ ", not the header");
		}
		if (fileSize - at < head.blockSize()) {
			throw truncatedHeader((fileSize - at) + " of the " + head.blockSize() + " bytes of the header block");
		}
		try {
			FieldReader fields = new FieldReader(
					BlockCodec.inflate(head, readBytes(at + BlockCodec.HEAD_SIZE, head.storedLength()), inflater));
			header = HeaderCodec.decodeHeader(fields);
			if (!fields.atEnd()) {
				throw new MalformedFieldException(fields.position(), "unread bytes after the last header field");
			}
		} catch (BlockException e) {
			throw TraceCorruptException.inHeader(file, at, e.getMessage());
		} catch (MalformedFieldException e) {
			throw TraceCorruptException.inHeader(file, at, "field at raw byte " + e.position() + ": " + e.getMessage());
		} catch (IllegalArgumentException | java.time.DateTimeException | ArithmeticException e) {
			throw TraceCorruptException.inHeader(file, at, "a header value is impossible: " + e.getMessage());
		}
		GuestBinary binary = header.program().binary();
		String computed = binary.computedSha256();
		if (!computed.equals(binary.sha256())) {
			throw TraceCorruptException.inHeader(file, at, "the embedded binary's SHA-256 " + computed
					+ " does not match the recorded " + binary.sha256());
		}
		readableEnd = at + head.blockSize();
	}

	private TraceFormatException truncatedHeader(String what) {
		return new TraceFormatException(file, "cut short inside its header (" + what
				+ " are present): nothing can be read from it");
	}

	private void scanBlocks() throws IOException {
		long offset = readableEnd;
		long index = 0;
		long frames = 0;
		while (true) {
			if (offset == fileSize) {
				incompleteReason = "it ends after " + index + " blocks (" + frames
						+ " frames) without a trailer: the recording was cut short";
				break;
			}
			if (fileSize - offset < BlockCodec.HEAD_SIZE) {
				incompleteReason = "it is cut short inside the head of block " + index + " at byte offset " + offset
						+ " (" + (fileSize - offset) + " of " + BlockCodec.HEAD_SIZE + " bytes)";
				break;
			}
			Head head;
			try {
				head = BlockCodec.decodeHead(readBytes(offset, BlockCodec.HEAD_SIZE), TraceFormat.MAX_BLOCK_BYTES);
			} catch (BlockException e) {
				throw TraceCorruptException.inBlock(file, index, offset, e.getMessage());
			}
			boolean whole = fileSize - offset >= head.blockSize();
			if (head.tag() == TraceFormat.TAG_FRAMES) {
				if (!whole) {
					incompleteReason = "it is cut short inside block " + index + " at byte offset " + offset + " ("
							+ (fileSize - offset) + " of its " + head.blockSize() + " bytes are present)";
					break;
				}
				if (head.frameCount() == 0) {
					throw TraceCorruptException.inBlock(file, index, offset, "a frame block with no frames");
				}
				blocks.add(new Block(index, offset, head.blockSize(), head.frameCount(), frames));
				heads.add(head);
				frames += head.frameCount();
				index++;
				offset += head.blockSize();
			} else if (head.tag() == TraceFormat.TAG_TRAILER) {
				if (!whole) {
					incompleteReason = "it is cut short inside its trailer at byte offset " + offset;
					break;
				}
				trailer = readTrailer(head, index, offset);
				long end = offset + head.blockSize();
				if (end != fileSize) {
					throw TraceCorruptException.inTrailer(file, index, offset,
							(fileSize - end) + " bytes follow it; a trace ends with its trailer");
				}
				if (trailer.frameCount() != frames || trailer.blockCount() != index) {
					throw TraceCorruptException.inTrailer(file, index, offset, "it counts " + trailer.frameCount()
							+ " frames in " + trailer.blockCount() + " blocks, the file holds " + frames
							+ " frames in " + index + " blocks");
				}
				offset = end;
				break;
			} else {
				throw TraceCorruptException.inBlock(file, index, offset, "unexpected " + TraceFormat.tagName(
						head.tag()));
			}
		}
		readableEnd = offset;
	}

	private TraceTrailer readTrailer(Head head, long index, long offset) throws IOException {
		if (head.rawLength() > TraceFormat.MAX_TRAILER_BYTES) {
			throw TraceCorruptException.inTrailer(file, index, offset, "its head says " + head.rawLength()
					+ " bytes, more than a trailer ever holds");
		}
		try {
			FieldReader fields = new FieldReader(
					BlockCodec.inflate(head, readBytes(offset + BlockCodec.HEAD_SIZE, head.storedLength()), inflater));
			TraceTrailer t = HeaderCodec.decodeTrailer(fields);
			if (!fields.atEnd()) {
				throw new MalformedFieldException(fields.position(), "unread bytes after the last trailer field");
			}
			return t;
		} catch (BlockException e) {
			throw TraceCorruptException.inTrailer(file, index, offset, e.getMessage());
		} catch (MalformedFieldException e) {
			throw TraceCorruptException.inTrailer(file, index, offset, "field at raw byte " + e.position() + ": "
					+ e.getMessage());
		} catch (IllegalArgumentException | java.time.DateTimeException | ArithmeticException e) {
			throw TraceCorruptException.inTrailer(file, index, offset, "a trailer value is impossible: "
					+ e.getMessage());
		}
	}

	public Path file() {
		return file;
	}

	public int formatVersion() {
		return TraceFormat.VERSION;
	}

	public TraceHeader header() {
		return header;
	}

	/** Whether the trace ends with a valid trailer. */
	public boolean complete() {
		return trailer != null;
	}

	public Optional<TraceTrailer> trailer() {
		return Optional.ofNullable(trailer);
	}

	/** Why the trace is incomplete, e.g. "it is cut short inside block 7 at byte offset 123 (...)". */
	public Optional<String> incompleteReason() {
		return Optional.ofNullable(incompleteReason);
	}

	/** The whole frame blocks, in file order. */
	public List<Block> blocks() {
		return List.copyOf(blocks);
	}

	/** Frames in the whole blocks. */
	public long frameCount() {
		return blocks.isEmpty() ? 0 : blocks.getLast().firstFrame() + blocks.getLast().frameCount();
	}

	public long fileSize() {
		return fileSize;
	}

	/** Where the readable part of the file ends: after the trailer, or after the last whole block. */
	public long readableBytes() {
		return readableEnd;
	}

	/**
	 * The frames of the whole blocks, in order. Each block's CRC is checked when the iteration reaches it.
	 *
	 * @throws TraceCorruptException (from the iterator) for a damaged block
	 * @throws UncheckedIOException  (from the iterator) when the file cannot be read
	 */
	public Iterable<Frame> frames() {
		return FrameIterator::new;
	}

	/** All frames, read at once (small traces and tests). */
	public List<Frame> readAllFrames() {
		List<Frame> all = new ArrayList<>();
		frames().forEach(all::add);
		return all;
	}

	private List<Frame> readBlock(int i) {
		Block block = blocks.get(i);
		Head head = heads.get(i);
		byte[] raw;
		try {
			raw = BlockCodec.inflate(head, readBytes(block.offset() + BlockCodec.HEAD_SIZE, head.storedLength()),
					inflater);
		} catch (BlockException e) {
			throw TraceCorruptException.inBlock(file, block.index(), block.offset(), e.getMessage());
		} catch (IOException e) {
			throw new UncheckedIOException("cannot read block " + block.index() + " of " + file + " at byte offset "
					+ block.offset() + ": " + e.getMessage(), e);
		}
		FieldReader fields = new FieldReader(raw);
		List<Frame> frames = new ArrayList<>(block.frameCount());
		try {
			for (int k = 0; k < block.frameCount(); k++) {
				frames.add(FrameCodec.decode(fields));
			}
		} catch (MalformedFieldException e) {
			throw TraceCorruptException.inBlock(file, block.index(), block.offset(), "frame "
					+ (block.firstFrame() + frames.size()) + " at raw byte " + e.position() + ": " + e.getMessage());
		} catch (IllegalArgumentException | ArithmeticException e) {
			throw TraceCorruptException.inBlock(file, block.index(), block.offset(), "frame "
					+ (block.firstFrame() + frames.size()) + " is impossible: " + e.getMessage());
		}
		if (!fields.atEnd()) {
			throw TraceCorruptException.inBlock(file, block.index(), block.offset(), (raw.length - fields.position())
					+ " bytes follow its last frame");
		}
		return frames;
	}

	private final class FrameIterator implements Iterator<Frame> {
		private int nextBlock;
		private Iterator<Frame> current = List.<Frame>of().iterator();

		@Override
		public boolean hasNext() {
			while (!current.hasNext() && nextBlock < blocks.size()) {
				current = readBlock(nextBlock++).iterator();
			}
			return current.hasNext();
		}

		@Override
		public Frame next() {
			if (!hasNext()) {
				throw new NoSuchElementException("no frame after frame " + (frameCount() - 1) + " in " + file);
			}
			return current.next();
		}
	}

	private byte[] readBytes(long position, int length) throws IOException {
		byte[] b = new byte[length];
		readFully(position, b);
		return b;
	}

	private void readFully(long position, byte[] dst) throws IOException {
		ByteBuffer buf = ByteBuffer.wrap(dst);
		while (buf.hasRemaining()) {
			int n = channel.read(buf, position + buf.position());
			if (n < 0) {
				throw new EOFException(file + " shrank while it was read: no byte at offset "
						+ (position + buf.position()));
			}
		}
	}

	@Override
	public void close() throws IOException {
		inflater.end();
		channel.close();
	}
}
