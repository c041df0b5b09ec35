package org.insight.vmm.machine;

import java.util.Optional;

import org.insight.kvm.Regs;
import org.insight.vmm.code.Comparator;
import org.insight.vmm.inputs.Landmark;

/**
 * A replay's landmark inside an unconditional {@code rep movs} or {@code rep stos} (ARCHITECTURE.md section 3, item
 * 6): instead of a TF step per iteration (a kick in the middle of a 2 MB {@code memset} would cost 2·10^6 steps), the
 * thread runs the instruction at native speed to a one-shot int3 right after it. When the state at the instruction's
 * start says the landmark lies k iterations ahead (every other register the landmark's, RDI and RSI k elements further
 * in the direction of DF, RCX k less), it runs with RCX = k and then gets the landmark's RCX and RIP back: exactly the
 * recorded state, as the instruction changes nothing else. Otherwise no iteration of this execution can be the
 * landmark (RDI + RCX × size and the other registers stay the same across it), so it runs whole.
 * {@code repe}/{@code repne} {@code cmps}/{@code scas} are not planned here: their data can end them early.
 *
 * @param length     the instruction's length: the run ends at its next address
 * @param count      the RCX the thread runs the instruction with
 * @param toLandmark whether the run ends at the landmark's iteration (else the instruction runs whole)
 * @param landmarkRcx the landmark's RCX, given back at the end of a run to it
 */
record RepFastForward(int length, long count, boolean toLandmark, long landmarkRcx) {
	private static final long DF = 1L << 10;

	/**
	 * The run for thread registers {@code at} at the start of the instruction {@code code} (its bytes, at least 15
	 * where readable) towards {@code landmark} at the same RIP; empty when the instruction is no unconditional
	 * {@code rep movs}/{@code rep stos} with 64-bit addresses, or its count is 0.
	 */
	static Optional<RepFastForward> plan(byte[] code, Regs at, Landmark landmark) {
		int i = 0;
		boolean rep = false;
		boolean operand16 = false;
		boolean rexW = false;
		while (i < code.length && i < 14) {
			int b = code[i] & 0xff;
			if (b == 0xf3) {
				rep = true;
			} else if (b == 0x66) {
				operand16 = true;
			} else if (b == 0x2e || b == 0x3e || b == 0x26 || b == 0x36) {
				// a flat segment: its base is 0 in 64-bit mode
			} else if (b >= 0x40 && b <= 0x4f) {
				rexW = (b & 8) != 0; // a REX prefix counts only right before the opcode, which the loop's end checks
			} else {
				break;
			}
			if (b < 0x40 || b > 0x4f) {
				rexW = false;
			}
			i++;
		}
		if (!rep || i >= code.length) {
			return Optional.empty();
		}
		int op = code[i] & 0xff;
		boolean movs = op == 0xa4 || op == 0xa5;
		boolean stos = op == 0xaa || op == 0xab;
		if (!movs && !stos) {
			return Optional.empty();
		}
		long size = op == 0xa4 || op == 0xaa ? 1 : rexW ? 8 : operand16 ? 2 : 4;
		int length = i + 1;
		long c0 = at.rcx;
		if (c0 == 0) {
			return Optional.empty();
		}
		Regs l = landmark.regs();
		long c1 = l.rcx;
		long k = c0 - c1;
		long step = (at.rflags & DF) != 0 ? -size : size;
		boolean sameOthers = at.rax == l.rax && at.rdx == l.rdx && at.rbx == l.rbx && at.rsp == l.rsp
				&& at.rbp == l.rbp && at.r8 == l.r8 && at.r9 == l.r9 && at.r10 == l.r10 && at.r11 == l.r11
				&& at.r12 == l.r12 && at.r13 == l.r13 && at.r14 == l.r14 && at.r15 == l.r15
				&& (at.rflags & Comparator.FLAGS_MASK) == (l.rflags & Comparator.FLAGS_MASK) && at.rip == l.rip;
		boolean ahead = c1 != 0 && Long.compareUnsigned(c1, c0) < 0 && l.rdi == at.rdi + k * step
				&& l.rsi == (movs ? at.rsi + k * step : at.rsi);
		if (sameOthers && ahead) {
			return Optional.of(new RepFastForward(length, k, true, c1));
		}
		return Optional.of(new RepFastForward(length, c0, false, c1));
	}
}
