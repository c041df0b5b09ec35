package org.insight.replay.trace;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import org.insight.testsupport.FuzzInput;

/**
 * Fuzz target "trace-blocks": the decoders behind the CRCs. The input is a trace with its blocks unpacked, a
 * sequence of records {@code tag (u8), frame count (u32 LE), length (u32 LE), raw payload}; the target packs each into
 * a block with {@link BlockCodec#encode} (zlib, correct CRC32C), after the preamble, and reads the file as
 * {@link TraceFileFuzzTarget} does. So every mutation of a header field, frame or trailer reaches
 * {@link HeaderCodec} and {@link FrameCodec} instead of stopping at a CRC. A record cut short takes the bytes that
 * are left. {@link #unpack} turns a real trace into this form (the seeds). Accepted: {@link TraceException}.
 */
public final class TraceBlocksFuzzTarget {
	private TraceBlocksFuzzTarget() {
	}

	private static final Path FILE = FuzzInput.scratchFile("fuzz-blocks.insight");
	private static final Deflater DEFLATER = new Deflater(Deflater.BEST_SPEED);
	private static final int RECORD_HEAD = 9;

	public static void fuzzerTestOneInput(byte[] data) {
		run(data);
	}

	/** One input through the target: null when it was read whole, the refusal when it was refused. */
	static Throwable run(byte[] data) {
		FuzzInput.write(FILE, pack(data));
		return FuzzInput.check("trace-blocks", () -> TraceFileFuzzTarget.read(FILE), TraceException.class);
	}

	/** The trace file for an unpacked input. */
	static byte[] pack(byte[] data) {
		FieldWriter out = new FieldWriter(data.length + 64);
		ByteBuffer preamble = ByteBuffer.allocate(TraceFormat.PREAMBLE_SIZE).order(ByteOrder.LITTLE_ENDIAN)
				.put(TraceFormat.MAGIC).putInt(TraceFormat.VERSION);
		out.raw(preamble.array(), 0, preamble.capacity());
		ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
		while (in.remaining() >= RECORD_HEAD) {
			byte tag = in.get();
			int frames = in.getInt();
			int length = (int) Math.min(in.getInt() & 0xffff_ffffL, in.remaining());
			byte[] raw = new byte[length];
			in.get(raw);
			byte[] block = BlockCodec.encode(tag, frames, raw, length, DEFLATER);
			out.raw(block, 0, block.length);
		}
		return out.toByteArray();
	}

	/** A valid trace file in the unpacked form (the seeds are real traces unpacked). */
	static byte[] unpack(byte[] trace) throws BlockCodec.BlockException {
		FieldWriter out = new FieldWriter(trace.length * 4 + 64);
		Inflater inflater = new Inflater();
		int at = TraceFormat.PREAMBLE_SIZE;
		while (at < trace.length) {
			byte[] headBytes = Arrays.copyOfRange(trace, at, at + BlockCodec.HEAD_SIZE);
			BlockCodec.Head head = BlockCodec.decodeHead(headBytes, TraceFormat.MAX_HEADER_BYTES);
			byte[] payload = Arrays.copyOfRange(trace, at + BlockCodec.HEAD_SIZE,
					(int) (at + head.blockSize()));
			byte[] raw = BlockCodec.inflate(head, payload, inflater);
			ByteBuffer rec = ByteBuffer.allocate(RECORD_HEAD).order(ByteOrder.LITTLE_ENDIAN).put(head.tag())
					.putInt(head.frameCount()).putInt(raw.length);
			out.raw(rec.array(), 0, RECORD_HEAD);
			out.raw(raw, 0, raw.length);
			at += (int) head.blockSize();
		}
		inflater.end();
		return out.toByteArray();
	}
}
