package org.insight.symbols;

import java.nio.ByteBuffer;

/**
 * Reads one entry of {@code .eh_frame}, never past its end: every read that would is an
 * {@link IllegalArgumentException}, which {@link CallFrameInfo} turns into "this entry is left out".
 */
final class CfiReader {
	static final int DW_EH_PE_ABSPTR = 0x00, DW_EH_PE_ULEB128 = 0x01, DW_EH_PE_UDATA2 = 0x02, DW_EH_PE_UDATA4 = 0x03,
			DW_EH_PE_UDATA8 = 0x04, DW_EH_PE_SLEB128 = 0x09, DW_EH_PE_SDATA2 = 0x0a, DW_EH_PE_SDATA4 = 0x0b,
			DW_EH_PE_SDATA8 = 0x0c, DW_EH_PE_PCREL = 0x10, DW_EH_PE_OMIT = 0xff;

	private final ByteBuffer d;
	private final int end;
	private int pos;

	CfiReader(ByteBuffer d, int start, int end) {
		if (start < 0 || end > d.limit() || start > end) {
			throw new IllegalArgumentException("entry " + start + ".." + end + " outside the section");
		}
		this.d = d;
		this.pos = start;
		this.end = end;
	}

	int position() {
		return pos;
	}

	boolean atEnd() {
		return pos >= end;
	}

	void seek(int p) {
		if (p < 0 || p > end) {
			throw new IllegalArgumentException("offset " + p + " past the entry's end " + end);
		}
		pos = p;
	}

	void skip(int n) {
		seek(pos + n);
	}

	private void need(int n) {
		if (n > end - pos) {
			throw new IllegalArgumentException(n + " bytes needed at " + pos + ", the entry ends at " + end);
		}
	}

	int u8() {
		need(1);
		return d.get(pos++) & 0xff;
	}

	int u16() {
		need(2);
		int v = d.getShort(pos) & 0xffff;
		pos += 2;
		return v;
	}

	long u32() {
		need(4);
		long v = d.getInt(pos) & 0xffff_ffffL;
		pos += 4;
		return v;
	}

	long u64() {
		need(8);
		long v = d.getLong(pos);
		pos += 8;
		return v;
	}

	String cString() {
		StringBuilder b = new StringBuilder();
		for (int c = u8(); c != 0; c = u8()) {
			b.append((char) c);
		}
		return b.toString();
	}

	long uleb() {
		long v = 0;
		for (int shift = 0;; shift += 7) {
			int b = u8();
			if (shift < 64) {
				v |= (long) (b & 0x7f) << shift;
			}
			if ((b & 0x80) == 0) {
				return v;
			}
		}
	}

	long sleb() {
		long v = 0;
		int shift = 0;
		int b;
		do {
			b = u8();
			if (shift < 64) {
				v |= (long) (b & 0x7f) << shift;
			}
			shift += 7;
		} while ((b & 0x80) != 0);
		if (shift < 64 && (b & 0x40) != 0) {
			v |= -1L << shift;
		}
		return v;
	}

	/**
	 * A pointer in {@code encoding} (DW_EH_PE_*); pc-relative ones are relative to the field's own address, the
	 * section's address plus its offset. Indirect and data-relative encodings are refused (gcc does not use them here).
	 */
	long encoded(int encoding, long sectionAddress) {
		if (encoding == DW_EH_PE_OMIT) {
			return 0;
		}
		long fieldAddress = sectionAddress + pos;
		long v = switch (encoding & 0x0f) {
		case DW_EH_PE_ABSPTR, DW_EH_PE_UDATA8, DW_EH_PE_SDATA8 -> u64();
		case DW_EH_PE_ULEB128 -> uleb();
		case DW_EH_PE_UDATA2 -> u16();
		case DW_EH_PE_UDATA4 -> u32();
		case DW_EH_PE_SLEB128 -> sleb();
		case DW_EH_PE_SDATA2 -> (short) u16();
		case DW_EH_PE_SDATA4 -> (int) u32();
		default -> throw new IllegalArgumentException("pointer encoding " + encoding);
		};
		return switch (encoding & 0x70) {
		case 0x00 -> v;
		case DW_EH_PE_PCREL -> fieldAddress + v;
		default -> throw new IllegalArgumentException("pointer encoding " + encoding);
		};
	}
}
