package org.insight.symbols;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Runs an FDE's call frame instructions (after its CIE's initial ones) up to a code address: DWARF 4 section 6.4.2,
 * with the GNU extensions gcc emits. Only the CFA and the rules of RBP and the return address are kept; a rule that
 * is an expression makes that column unknown.
 */
final class CfaProgram {
	/** DW_CFA_remember_state nesting at most (gcc uses one or two). */
	private static final int MAX_REMEMBERED = 64;

	private int cfaRegister = -1;
	private long cfaOffset;
	private FrameRule.Saved ra = FrameRule.Saved.UNDEFINED;
	private FrameRule.Saved rbp = FrameRule.Saved.SAME;
	private FrameRule.Saved initialRa, initialRbp;
	private final Deque<Object[]> remembered = new ArrayDeque<>();
	private final CallFrameInfo.Cie cie;
	private final long sectionAddress;
	private long loc;

	private CfaProgram(CallFrameInfo.Cie cie, long sectionAddress) {
		this.cie = cie;
		this.sectionAddress = sectionAddress;
	}

	static FrameRule run(ByteBuffer data, long sectionAddress, CallFrameInfo.Fde fde, long pc) {
		CfaProgram p = new CfaProgram(fde.cie(), sectionAddress);
		p.loc = fde.start();
		p.execute(new CfiReader(data, fde.cie().initialStart(), fde.cie().initialEnd()), Long.MAX_VALUE);
		p.initialRa = p.ra;
		p.initialRbp = p.rbp;
		p.execute(new CfiReader(data, fde.programStart(), fde.programEnd()), pc);
		return new FrameRule(p.cfaRegister == FrameRule.RBP || p.cfaRegister == FrameRule.RSP ? p.cfaRegister : -1,
				p.cfaOffset, p.ra, p.rbp);
	}

	/** Runs instructions until the end, or until the location passes {@code pc}. */
	private void execute(CfiReader r, long pc) {
		while (!r.atEnd()) {
			int op = r.u8();
			int high = op & 0xc0, low = op & 0x3f;
			if (high == 0x40) { // DW_CFA_advance_loc
				if (advance(low * cie.codeAlign(), pc)) {
					return;
				}
				continue;
			}
			if (high == 0x80) { // DW_CFA_offset
				set(low, FrameRule.Saved.atCfa((long) r.uleb() * cie.dataAlign()));
				continue;
			}
			if (high == 0xc0) { // DW_CFA_restore
				restore(low);
				continue;
			}
			switch (op) {
			case 0x00 -> {
			} // nop
			case 0x01 -> { // set_loc
				long to = r.encoded(cie.fdeEncoding(), sectionAddress);
				if (to > pc) {
					return;
				}
				loc = to;
			}
			case 0x02 -> {
				if (advance(r.u8() * cie.codeAlign(), pc)) {
					return;
				}
			}
			case 0x03 -> {
				if (advance(r.u16() * cie.codeAlign(), pc)) {
					return;
				}
			}
			case 0x04 -> {
				if (advance(r.u32() * cie.codeAlign(), pc)) {
					return;
				}
			}
			case 0x05 -> set((int) r.uleb(), FrameRule.Saved.atCfa(r.uleb() * cie.dataAlign())); // offset_extended
			case 0x06 -> restore((int) r.uleb()); // restore_extended
			case 0x07 -> set((int) r.uleb(), FrameRule.Saved.UNDEFINED); // undefined
			case 0x08 -> set((int) r.uleb(), FrameRule.Saved.SAME); // same_value
			case 0x09 -> { // register
				int reg = (int) r.uleb();
				r.uleb();
				set(reg, FrameRule.Saved.UNKNOWN);
			}
			case 0x0a -> { // remember_state
				if (remembered.size() >= MAX_REMEMBERED) {
					throw new IllegalArgumentException("remember_state nested too deep");
				}
				remembered.push(new Object[] { ra, rbp, cfaRegister, cfaOffset });
			}
			case 0x0b -> { // restore_state: the whole row, the CFA included (as binutils and libgcc do)
				if (remembered.isEmpty()) {
					throw new IllegalArgumentException("restore_state without remember_state");
				}
				Object[] s = remembered.pop();
				ra = (FrameRule.Saved) s[0];
				rbp = (FrameRule.Saved) s[1];
				cfaRegister = (Integer) s[2];
				cfaOffset = (Long) s[3];
			}
			case 0x0c -> { // def_cfa
				cfaRegister = (int) r.uleb();
				cfaOffset = r.uleb();
			}
			case 0x0d -> cfaRegister = (int) r.uleb(); // def_cfa_register
			case 0x0e -> cfaOffset = r.uleb(); // def_cfa_offset
			case 0x0f -> { // def_cfa_expression
				r.skip((int) Math.min(r.uleb(), Integer.MAX_VALUE));
				cfaRegister = -1;
			}
			case 0x10, 0x16 -> { // expression, val_expression
				int reg = (int) r.uleb();
				r.skip((int) Math.min(r.uleb(), Integer.MAX_VALUE));
				set(reg, FrameRule.Saved.UNKNOWN);
			}
			case 0x11 -> set((int) r.uleb(), FrameRule.Saved.atCfa(r.sleb() * cie.dataAlign())); // offset_extended_sf
			case 0x12 -> { // def_cfa_sf
				cfaRegister = (int) r.uleb();
				cfaOffset = r.sleb() * cie.dataAlign();
			}
			case 0x13 -> cfaOffset = r.sleb() * cie.dataAlign(); // def_cfa_offset_sf
			case 0x14, 0x15 -> { // val_offset(_sf): the value is CFA+n, not a saved slot
				int reg = (int) r.uleb();
				if (op == 0x14) {
					r.uleb();
				} else {
					r.sleb();
				}
				set(reg, FrameRule.Saved.UNKNOWN);
			}
			case 0x2e -> r.uleb(); // GNU_args_size
			case 0x2f -> set((int) r.uleb(), FrameRule.Saved.atCfa(-r.uleb() * cie.dataAlign())); // GNU_neg_offset_ext
			default -> throw new IllegalArgumentException("call frame instruction " + op);
			}
		}
	}

	/** Moves the location; true when it passed {@code pc} (the row in force at pc is the current one). */
	private boolean advance(long delta, long pc) {
		if (loc + delta > pc) {
			return true;
		}
		loc += delta;
		return false;
	}

	private void set(int reg, FrameRule.Saved rule) {
		if (reg == cie.raRegister()) {
			ra = rule;
		} else if (reg == FrameRule.RBP) {
			rbp = rule;
		}
	}

	private void restore(int reg) {
		if (reg == cie.raRegister()) {
			ra = initialRa == null ? FrameRule.Saved.UNDEFINED : initialRa;
		} else if (reg == FrameRule.RBP) {
			rbp = initialRbp == null ? FrameRule.Saved.SAME : initialRbp;
		}
	}
}
