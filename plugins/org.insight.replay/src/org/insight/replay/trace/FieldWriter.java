package org.insight.replay.trace;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Appends the fields of a block's raw payload: LEB128 varints (zigzag for signed values), length-prefixed byte
 * strings and UTF-8 strings. See TRACE-FORMAT.md, "Field encoding".
 */
final class FieldWriter {
	private byte[] buf;
	private int size;

	FieldWriter(int capacity) {
		buf = new byte[Math.max(16, capacity)];
	}

	void u8(int v) {
		ensure(1);
		buf[size++] = (byte) v;
	}

	void bool(boolean v) {
		u8(v ? 1 : 0);
	}

	/** Unsigned LEB128: 7 bits a byte, low first; a 64-bit value takes at most 10 bytes. */
	void varLong(long v) {
		ensure(10);
		while ((v & ~0x7FL) != 0) {
			buf[size++] = (byte) ((v & 0x7F) | 0x80);
			v >>>= 7;
		}
		buf[size++] = (byte) v;
	}

	/** Zigzag, so small negative values stay short. */
	void signed(long v) {
		varLong((v << 1) ^ (v >> 63));
	}

	void bytes(byte[] b) {
		varLong(b.length);
		raw(b, 0, b.length);
	}

	void raw(byte[] b, int off, int len) {
		ensure(len);
		System.arraycopy(b, off, buf, size, len);
		size += len;
	}

	void string(String s) {
		bytes(s.getBytes(StandardCharsets.UTF_8));
	}

	void strings(List<String> list) {
		varLong(list.size());
		for (String s : list) {
			string(s);
		}
	}

	void tids(List<Integer> tids) {
		varLong(tids.size());
		for (int tid : tids) {
			signed(tid);
		}
	}

	int size() {
		return size;
	}

	/** The internal buffer; valid up to {@link #size()}. */
	byte[] buffer() {
		return buf;
	}

	byte[] toByteArray() {
		return Arrays.copyOf(buf, size);
	}

	void reset() {
		size = 0;
	}

	private void ensure(int more) {
		if (size + more > buf.length) {
			buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
		}
	}
}
