package org.insight.vmm.code;

import java.util.OptionalLong;

/**
 * One memory operand of a decoded instruction, symbolically: {@code segment:[base + index × scale + disp]}, with the
 * registers as indexes in the CPU's order (RAX 0 … R15 15), {@link #RIP} for a RIP-relative base, and -1 for none.
 * Read from capstone's detail without a cross-check against the bytes: it only chooses which memory a landmark
 * compares ({@link NearbyMemory}), and any deterministic choice is as exact as another.
 *
 * @param segment {@link #NO_SEGMENT}, {@link #FS} or {@link #GS}
 * @param next    the address right after the instruction (RIP for a RIP-relative operand)
 */
public record MemoryOperand(int segment, int base, int index, int scale, long disp, long next) {
	public static final int NO_SEGMENT = 0, FS = 1, GS = 2;
	/** The base of a RIP-relative operand. */
	public static final int RIP = 16;

	public boolean ripRelative() {
		return base == RIP;
	}

	/**
	 * The operand's address with general registers {@code gprs} (in the CPU's order) and FS base {@code fsBase}; empty
	 * for a GS-relative operand, whose base the VMM does not keep.
	 */
	public OptionalLong address(long[] gprs, long fsBase) {
		if (segment == GS) {
			return OptionalLong.empty();
		}
		long a = disp;
		if (base == RIP) {
			a += next;
		} else if (base >= 0) {
			a += gprs[base];
		}
		if (index >= 0) {
			a += gprs[index] * scale;
		}
		return OptionalLong.of(segment == FS ? a + fsBase : a);
	}
}
