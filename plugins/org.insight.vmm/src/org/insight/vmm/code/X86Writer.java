package org.insight.vmm.code;

import java.io.ByteArrayOutputStream;

/**
 * Bytes of x86-64 code as the VMM's own code generators write them ({@link Comparator}, {@link LockStubCode}):
 * raw bytes, little-endian 32-bit values, and the one addressing form both use, an absolute 32-bit displacement into a
 * data page below 2 GiB (the kernel area). Hand-written rather than an assembler library: the code is a few dozen
 * fixed instructions, each checked byte for byte by the tests and read back with capstone.
 */
final class X86Writer {
	private final ByteArrayOutputStream out = new ByteArrayOutputStream();

	void bytes(int... bs) {
		for (int b : bs) {
			out.write(b);
		}
	}

	void int32(int v) {
		byte[] b = new byte[4];
		Relocation.putInt(b, 0, v);
		out.writeBytes(b);
	}

	/**
	 * {@code REX op modrm(00 reg 100) sib(0x25) disp32}: {@code op} between register {@code reg} and the 8 bytes at
	 * {@code address}, which must be below 2 GiB (a sign-extended disp32).
	 */
	void absolute(int rex, int op, int reg, long address) {
		if (address < 0 || address > 0x7fff_ffffL) {
			throw new IllegalArgumentException(String.format("0x%x is not below 2 GiB", address));
		}
		bytes(rex, op, (reg & 7) << 3 | 4, 0x25);
		int32((int) address);
	}

	/** Overwrites the 32-bit value at {@code at}. */
	void patch32(int at, int v) {
		byte[] all = out.toByteArray();
		Relocation.putInt(all, at, v);
		out.reset();
		out.writeBytes(all);
	}

	void write(byte[] code) {
		out.writeBytes(code);
	}

	int size() {
		return out.size();
	}

	byte[] toByteArray() {
		return out.toByteArray();
	}
}
