package org.insight.replay.trace;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads what {@link FieldWriter} wrote. Every read is bounds-checked: the payload passed its CRC, but a reader must
 * still never trust a length it did not write, so a malformed field throws {@link MalformedFieldException} with the
 * position, which the caller turns into a {@link TraceCorruptException} naming the block.
 */
final class FieldReader {
	private final byte[] data;
	private final int end;
	private int pos;

	FieldReader(byte[] data) {
		this.data = data;
		this.end = data.length;
	}

	int position() {
		return pos;
	}

	boolean atEnd() {
		return pos == end;
	}

	int u8() {
		need(1, "a byte");
		return data[pos++] & 0xFF;
	}

	boolean bool() {
		int at = pos;
		int v = u8();
		if (v > 1) {
			throw new MalformedFieldException(at, "boolean byte " + v);
		}
		return v == 1;
	}

	long varLong() {
		int at = pos;
		long v = 0;
		for (int shift = 0; shift < 64; shift += 7) {
			need(1, "a varint");
			byte b = data[pos++];
			v |= (long) (b & 0x7F) << shift;
			if (b >= 0) {
				return v;
			}
		}
		throw new MalformedFieldException(at, "varint longer than 10 bytes");
	}

	long signed() {
		long v = varLong();
		return (v >>> 1) ^ -(v & 1);
	}

	/** A non-negative count or length no larger than {@code max}. */
	int count(int max, String what) {
		int at = pos;
		long v = varLong();
		if (v < 0 || v > max) {
			throw new MalformedFieldException(at, what + " " + Long.toUnsignedString(v) + " out of range 0.." + max);
		}
		return (int) v;
	}

	int signedInt(String what) {
		int at = pos;
		long v = signed();
		if (v != (int) v) {
			throw new MalformedFieldException(at, what + " " + v + " does not fit 32 bits");
		}
		return (int) v;
	}

	byte[] bytes(int max, String what) {
		int n = count(max, what + " length");
		need(n, what);
		byte[] b = Arrays.copyOfRange(data, pos, pos + n);
		pos += n;
		return b;
	}

	byte[] raw(int n, String what) {
		need(n, what);
		byte[] b = Arrays.copyOfRange(data, pos, pos + n);
		pos += n;
		return b;
	}

	String string(int maxBytes, String what) {
		return new String(bytes(maxBytes, what), StandardCharsets.UTF_8);
	}

	List<String> strings(int maxCount, String what) {
		int n = elements(maxCount, what + " count");
		List<String> list = new ArrayList<>(n);
		for (int i = 0; i < n; i++) {
			list.add(string(TraceFormat.MAX_STRING, what));
		}
		return list;
	}

	List<Integer> tids(String what) {
		int n = elements(TraceFormat.MAX_THREADS, what + " count");
		List<Integer> list = new ArrayList<>(n);
		for (int i = 0; i < n; i++) {
			list.add(signedInt(what));
		}
		return list;
	}

	/** A count of elements that take at least one byte each: no larger than what is left of the payload. */
	private int elements(int max, String what) {
		int at = pos;
		int n = count(max, what);
		if (n > end - pos) {
			throw new MalformedFieldException(at, what + " " + n + " is more than the " + (end - pos)
					+ " bytes left in the payload");
		}
		return n;
	}

	private void need(int n, String what) {
		if (n < 0 || end - pos < n) {
			throw new MalformedFieldException(pos, "payload ends inside " + what + " (" + n + " bytes needed, "
					+ (end - pos) + " left)");
		}
	}
}
