package org.insight.analysis.hooks;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongPredicate;

import org.insight.analysis.CallStack;
import org.insight.symbols.CallFrameInfo;
import org.insight.symbols.FrameRule;
import org.insight.vmm.machine.CodeObserver.Control;

/**
 * The guest's call stack at a hooked function's entry, unwound with the program's call frame information
 * ({@link CallFrameInfo}: exact with or without frame pointers, as gdb and perf unwind), and through the frame-pointer
 * chain only for code without CFI (Debian's static musl has none for libc). Nothing is made up: every return address
 * must lie in a function of the program, every stack read must be readable, and the walk stops at the outermost frame
 * (whose return-address rule is undefined) or at the first step it cannot take.
 */
final class StackUnwinder {
	private final CallFrameInfo cfi;
	private final long bias;
	private final LongPredicate inCode;

	/**
	 * @param cfi    the program's CFI, at link-time addresses
	 * @param bias   what the program was loaded at beyond its link-time addresses (a PIE's base; 0 otherwise)
	 * @param inCode whether an address is inside a function of the program (past its first byte)
	 */
	StackUnwinder(CallFrameInfo cfi, long bias, LongPredicate inCode) {
		this.cfi = cfi;
		this.bias = bias;
		this.inCode = inCode;
	}

	/**
	 * The return addresses from a function's entry: {@code ret} (the word at RSP), then its callers'.
	 *
	 * @param rsp the stack pointer at the entry (it points at {@code ret})
	 * @param rbp RBP at the entry: the caller's, as the callee has not pushed anything yet
	 */
	CallStack unwind(long ret, long rsp, long rbp, Control memory, int max) {
		List<Long> frames = new ArrayList<>();
		frames.add(ret);
		long pc = ret, sp = rsp + 8, bp = rbp;
		while (frames.size() < max) {
			// ret - 1: the call instruction, inside the caller's FDE even when the call is its last instruction
			Optional<FrameRule> rule = cfi.ruleAt(pc - 1 - bias);
			long ra;
			if (rule.isPresent() && rule.get().cfaRegister() >= 0) {
				FrameRule r = rule.get();
				if (r.ra().kind() != FrameRule.Saved.Kind.AT_CFA) {
					break; // undefined: the outermost frame (_start, a thread's start); unknown: cannot follow
				}
				long cfa = (r.cfaRegister() == FrameRule.RSP ? sp : bp) + r.cfaOffset();
				if (!readable(memory, cfa + r.ra().offset())) {
					break;
				}
				ra = memory.readU64(cfa + r.ra().offset());
				if (r.rbp().kind() == FrameRule.Saved.Kind.AT_CFA) {
					if (!readable(memory, cfa + r.rbp().offset())) {
						break;
					}
					bp = memory.readU64(cfa + r.rbp().offset());
				}
				sp = cfa;
			} else if (rule.isPresent()) {
				break; // a CFA this unwinder does not compute (an expression, another register)
			} else {
				// no CFI: the frame-pointer chain, each link above the last
				if (bp == 0 || (bp & 7) != 0 || bp < sp - 8 || !readable(memory, bp) || !readable(memory, bp + 8)) {
					break;
				}
				ra = memory.readU64(bp + 8);
				long next = memory.readU64(bp);
				sp = bp + 16;
				if (next != 0 && next <= bp) {
					frames.add(ra);
					break;
				}
				bp = next;
			}
			if (!inCode.test(ra)) {
				break;
			}
			frames.add(ra);
			pc = ra;
		}
		long[] a = new long[frames.size()];
		for (int i = 0; i < a.length; i++) {
			a[i] = frames.get(i);
		}
		return new CallStack(a);
	}

	private static boolean readable(Control memory, long va) {
		return (va & 7) == 0 ? memory.readable(va) : memory.readable(va) && memory.readable(va + 7);
	}
}
