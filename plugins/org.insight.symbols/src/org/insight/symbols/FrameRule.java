package org.insight.symbols;

/**
 * Where a frame's caller is, at one code address (a row of the CFI table): the CFA (canonical frame address, the
 * caller's RSP after the call returns) as a register plus an offset, and where the return address and the caller's
 * RBP are. Registers are DWARF numbers: 6 is RBP, 7 is RSP, 16 the return address.
 *
 * @param cfaRegister 6 or 7; -1 when the CFA is a DWARF expression or another register (the unwind stops there)
 * @param cfaOffset   added to the register
 * @param ra          the return address's rule
 * @param rbp         the caller's RBP's rule
 */
public record FrameRule(int cfaRegister, long cfaOffset, Saved ra, Saved rbp) {
	public static final int RBP = 6, RSP = 7, RA = 16;

	/** How a register of the caller is found. */
	public record Saved(Kind kind, long offset) {
		public enum Kind {
			/** Not saved: the caller's value is this frame's (DW_CFA_same_value, and the default for RBP). */
			SAME,
			/** At CFA + offset in memory. */
			AT_CFA,
			/** Undefined: for the return address, the outermost frame. */
			UNDEFINED,
			/** A rule the unwinder does not follow (an expression, another register). */
			UNKNOWN
		}

		public static final Saved SAME = new Saved(Kind.SAME, 0);
		public static final Saved UNDEFINED = new Saved(Kind.UNDEFINED, 0);
		public static final Saved UNKNOWN = new Saved(Kind.UNKNOWN, 0);

		public static Saved atCfa(long offset) {
			return new Saved(Kind.AT_CFA, offset);
		}

		/** As readelf -wF prints it: "u", "c-16", "s", "exp". */
		@Override
		public String toString() {
			return switch (kind) {
			case SAME -> "s";
			case AT_CFA -> "c" + (offset >= 0 ? "+" : "") + offset;
			case UNDEFINED -> "u";
			case UNKNOWN -> "?";
			};
		}
	}

	/** "rsp+8", "rbp+16", or "?" as readelf -wF prints the CFA column ("exp" for an expression). */
	public String cfa() {
		return switch (cfaRegister) {
		case RSP -> "rsp+" + cfaOffset;
		case RBP -> "rbp+" + cfaOffset;
		default -> "?";
		};
	}
}
