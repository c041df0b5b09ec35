package org.insight.replay.trace;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The block layout (TRACE-FORMAT.md, "Blocks"): a 21-byte head (tag, frame count, raw length, stored length,
 * payload CRC32C, head CRC32C) and a zlib-compressed payload. The head has its own CRC so that a damaged length is
 * told apart from a file cut short.
 */
final class BlockCodec {
	private BlockCodec() {
	}

	static final int HEAD_SIZE = 21;
	/** The smallest frame: its kind byte and a one-byte tid (an idle frame adds at least one more). */
	static final int MIN_FRAME_BYTES = 2;

	record Head(byte tag, int frameCount, int rawLength, int storedLength, int payloadCrc) {
		long blockSize() {
			return HEAD_SIZE + (long) storedLength;
		}
	}

	/** A block's bytes do not hold what was written; the message says what, the caller says where. */
	static final class BlockException extends Exception {
		private static final long serialVersionUID = 1L;

		BlockException(String problem) {
			super(problem);
		}
	}

	/** The whole block, head and payload, ready to be written in one piece. */
	static byte[] encode(byte tag, int frameCount, byte[] raw, int rawLength, Deflater deflater) {
		deflater.reset();
		deflater.setInput(raw, 0, rawLength);
		deflater.finish();
		byte[] out = new byte[HEAD_SIZE + Math.max(64, rawLength / 2)];
		int stored = 0;
		while (!deflater.finished()) {
			if (HEAD_SIZE + stored == out.length) {
				out = Arrays.copyOf(out, out.length * 2);
			}
			stored += deflater.deflate(out, HEAD_SIZE + stored, out.length - HEAD_SIZE - stored);
		}
		CRC32C payloadCrc = new CRC32C();
		payloadCrc.update(out, HEAD_SIZE, stored);
		ByteBuffer head = ByteBuffer.wrap(out, 0, HEAD_SIZE).order(ByteOrder.LITTLE_ENDIAN);
		head.put(tag).putInt(frameCount).putInt(rawLength).putInt(stored).putInt((int) payloadCrc.getValue());
		head.putInt(crc(out, 0, HEAD_SIZE - 4));
		return Arrays.copyOf(out, HEAD_SIZE + stored);
	}

	static Head decodeHead(byte[] bytes, int maxRawLength) throws BlockException {
		ByteBuffer b = ByteBuffer.wrap(bytes, 0, HEAD_SIZE).order(ByteOrder.LITTLE_ENDIAN);
		Head head = new Head(b.get(), b.getInt(), b.getInt(), b.getInt(), b.getInt());
		int stored = b.getInt();
		int computed = crc(bytes, 0, HEAD_SIZE - 4);
		if (stored != computed) {
			throw new BlockException(String.format("head CRC32C 0x%08x does not match the stored 0x%08x", computed,
					stored));
		}
		if (head.frameCount < 0 || head.frameCount > TraceFormat.MAX_FRAMES_PER_BLOCK || head.rawLength < 0
				|| head.rawLength > maxRawLength || head.storedLength < 0 || head.storedLength > maxRawLength + 1024
						+ maxRawLength / 8) {
			throw new BlockException("head holds impossible sizes: " + head.frameCount + " frames, " + head.rawLength
					+ " raw bytes, " + head.storedLength + " stored bytes");
		}
		if (head.rawLength > maxInflated(head.storedLength)) {
			throw new BlockException("head says " + head.rawLength + " raw bytes, more than its " + head.storedLength
					+ " stored bytes can inflate to");
		}
		if (head.frameCount > head.rawLength / MIN_FRAME_BYTES) {
			throw new BlockException("head says " + head.frameCount + " frames in " + head.rawLength
					+ " raw bytes; a frame takes at least " + MIN_FRAME_BYTES);
		}
		return head;
	}

	/**
	 * The most raw bytes {@code stored} bytes of zlib stream can inflate to: deflate cannot expand by more than
	 * 1032:1 (a 258-byte match in at most 2 bits), plus the zlib wrapper. A head that claims more is damaged, and is
	 * refused before anything of that size is allocated.
	 */
	static long maxInflated(long stored) {
		return stored * 1032 + 64;
	}

	static byte[] inflate(Head head, byte[] payload, Inflater inflater) throws BlockException {
		int computed = crc(payload, 0, payload.length);
		if (computed != head.payloadCrc) {
			throw new BlockException(String.format("payload CRC32C 0x%08x does not match the stored 0x%08x",
					computed, head.payloadCrc));
		}
		if (head.rawLength > maxInflated(payload.length)) {
			throw new BlockException("the head says " + head.rawLength + " raw bytes, more than its " + payload.length
					+ " stored bytes can inflate to");
		}
		if (payload.length >= 2 && (payload[1] & 0x20) != 0) {
			throw new BlockException("payload is a zlib stream with a preset dictionary, which a trace never uses");
		}
		inflater.reset();
		inflater.setInput(payload);
		// The buffer grows with what actually inflates, so a damaged length costs no more memory than the data.
		byte[] raw = new byte[(int) Math.min(head.rawLength, Math.max(4096, 16L * payload.length))];
		int n = 0;
		try {
			while (!inflater.finished()) {
				if (inflater.needsDictionary()) {
					throw new BlockException("payload asks for a preset zlib dictionary, which a trace never uses");
				}
				if (n == raw.length) {
					if (n == head.rawLength) {
						// Let zlib read its end of stream (and adler-32) past the last output byte.
						if (inflater.inflate(new byte[1]) != 0) {
							throw new BlockException("payload inflates to more than the " + head.rawLength
									+ " bytes the head says");
						}
						if (!inflater.finished() && !inflater.needsDictionary()) {
							break; // the stream ends early, or holds more: reported below
						}
						continue;
					}
					raw = Arrays.copyOf(raw, (int) Math.min(head.rawLength, 2L * raw.length));
				}
				int remaining = inflater.getRemaining();
				int got = inflater.inflate(raw, n, raw.length - n);
				n += got;
				if (got == 0 && inflater.getRemaining() == remaining && !inflater.needsDictionary()) {
					break; // no progress (input used up before the end of the stream): reported below
				}
			}
		} catch (DataFormatException e) {
			throw new BlockException("payload does not inflate: " + e.getMessage());
		}
		if (!inflater.finished() || n != head.rawLength || inflater.getRemaining() != 0) {
			throw new BlockException("payload inflates to " + (inflater.finished() ? inflater.getBytesWritten() + " bytes"
					: "an unfinished zlib stream (" + inflater.getBytesWritten() + " bytes so far)") + ", the head says "
					+ head.rawLength);
		}
		return raw;
	}

	static int crc(byte[] b, int off, int len) {
		CRC32C c = new CRC32C();
		c.update(b, off, len);
		return (int) c.getValue();
	}
}
