package org.insight.vmm.code;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

import org.insight.symbols.Symbol;

/**
 * Where a run of a program's code may be entered other than at its start: every direct branch's and call's target in
 * the program's functions, found by decoding each function from its symbol's start to its end once (the first time
 * it is asked). A patch over a run is safe only where no thread can arrive in its middle: no known target inside it,
 * and no indirect jump (a switch's table, whose targets are unknown) in the function that holds it, and a function
 * that decodes whole. Returns after a call inside the run are the caller's business (a run holding a call is never
 * moved, see {@link Relocation}).
 */
public final class BranchTargets {
	private final java.util.function.Supplier<? extends List<Symbol>> source;
	private List<Symbol> functions;
	private final BiFunction<Long, Integer, byte[]> code;
	private final java.util.function.Supplier<X86Decoder> decoder;
	private long[] targets;
	/** Start addresses (sorted) of the functions that hold an indirect jump or do not decode to their end. */
	private long[] unclear;
	/**
	 * Dead padding after functions that end in an unconditional jump or return: pairs of (start, end), sorted, of runs
	 * of nothing but NOPs and int3s before the next function, that no known branch enters.
	 */
	private long[] padding;
	/** The smallest island: {@code jmp rel32}. */
	static final int ISLAND = 5;

	/**
	 * @param functions the program's functions (with their sizes), at their load addresses: read at the first question
	 * @param code      a function's bytes by address and length, from the program's file (reading the guest's
	 *                  memory would populate pages the guest never touched); null when not in the file
	 */
	public BranchTargets(java.util.function.Supplier<? extends List<Symbol>> functions,
			BiFunction<Long, Integer, byte[]> code, java.util.function.Supplier<X86Decoder> decoder) {
		this.source = functions;
		this.code = code;
		this.decoder = decoder;
	}

	private List<Symbol> functions() {
		if (functions == null) {
			try {
				functions = source.get().stream().filter(s -> s.function() && s.size() > 0)
						.sorted(java.util.Comparator.comparingLong(Symbol::address)).toList();
			} catch (org.insight.symbols.ElfFormatException unreadable) {
				functions = List.of(); // no known function: every patch there is refused, the same at a replay
			}
		}
		return functions;
	}

	/** Why {@code [from, to)} cannot be patched (it may be entered in its middle), or empty when it can. */
	public Optional<String> refusal(long from, long to) {
		Optional<Symbol> f = functionAt(from);
		if (f.isEmpty()) {
			return Optional.of(String.format("0x%x is in no known function", from));
		}
		if (to > f.get().end()) {
			return Optional.of(String.format("0x%x-0x%x runs past the end of %s", from, to, f.get().name()));
		}
		scan();
		if (Arrays.binarySearch(unclear, f.get().address()) >= 0) {
			return Optional.of(f.get().name() + " has an indirect jump or does not decode whole");
		}
		int i = Arrays.binarySearch(targets, from + 1);
		int first = i >= 0 ? i : -i - 1;
		if (first < targets.length && targets[first] < to) {
			return Optional.of(String.format("0x%x inside 0x%x-0x%x is a branch target", targets[first], from, to));
		}
		return Optional.empty();
	}

	/**
	 * An address of {@value #ISLAND} dead bytes (padding no thread ever executes, see {@link #padding}) whose start is
	 * within {@code [from, to]}, or -1: where a short {@code jmp} from a landmark too close to a branch target can
	 * bounce to the comparator.
	 */
	public long island(long from, long to) {
		scan();
		for (int k = 0; k < padding.length; k += 2) {
			long start = Math.max(padding[k], from);
			if (start <= to && start + ISLAND <= padding[k + 1]) {
				return start;
			}
		}
		return -1;
	}

	/** The function whose bytes hold {@code address}. */
	public Optional<Symbol> functionAt(long address) {
		List<Symbol> functions = functions();
		int lo = 0, hi = functions.size() - 1;
		Symbol best = null;
		while (lo <= hi) {
			int mid = (lo + hi) >>> 1;
			if (functions.get(mid).address() <= address) {
				best = functions.get(mid);
				lo = mid + 1;
			} else {
				hi = mid - 1;
			}
		}
		// aliases share an address: any of them whose end covers it
		for (int k = lo - 1; k >= 0 && best != null && functions.get(k).address() == best.address(); k--) {
			if (address < functions.get(k).end()) {
				return Optional.of(functions.get(k));
			}
		}
		return Optional.empty();
	}

	private void scan() {
		if (targets != null) {
			return;
		}
		long[] t = new long[1024];
		int n = 0;
		long[] u = new long[64];
		int m = 0;
		java.util.List<long[]> pads = new java.util.ArrayList<>();
		long previous = Long.MIN_VALUE;
		List<Symbol> all = functions();
		for (int fi = 0; fi < all.size(); fi++) {
			Symbol f = all.get(fi);
			if (f.address() == previous) {
				continue; // an alias of the one just decoded
			}
			previous = f.address();
			byte[] bytes = code.apply(f.address(), (int) Math.min(f.size(), Integer.MAX_VALUE));
			boolean clear = bytes != null;
			int decoded = 0;
			Instruction last = null;
			if (clear) {
				for (Instruction i : decoder.get().decodeAll(bytes, f.address(), 0)) {
					decoded += i.length();
					last = i;
					if (i.hasTarget()) {
						if (n == t.length) {
							t = Arrays.copyOf(t, 2 * n);
						}
						t[n++] = i.target();
					}
					if (i.kind() == Instruction.Kind.INDIRECT_JUMP) {
						clear = false;
					}
				}
				clear &= decoded == bytes.length;
			}
			if (clear && ends(last)) {
				long next = fi + 1 < all.size() ? all.get(fi + 1).address() : f.end();
				long[] pad = padding(f.end(), next);
				if (pad != null) {
					pads.add(pad);
				}
			}
			if (!clear) {
				if (m == u.length) {
					u = Arrays.copyOf(u, 2 * m);
				}
				u[m++] = f.address();
			}
		}
		targets = Arrays.copyOf(t, n);
		Arrays.sort(targets);
		unclear = Arrays.copyOf(u, m);
		Arrays.sort(unclear);
		padding = new long[2 * pads.size()];
		int k = 0;
		for (long[] p : pads) {
			int first = Arrays.binarySearch(targets, p[0]);
			first = first >= 0 ? first : -first - 1;
			long end = first < targets.length && targets[first] < p[1] ? targets[first] : p[1]; // up to a target
			padding[k++] = p[0];
			padding[k++] = end;
		}
	}

	/** Whether the last instruction of a function never falls through: a return or an unconditional jump. */
	private static boolean ends(Instruction last) {
		if (last == null) {
			return false;
		}
		String m = last.mnemonic();
		return last.kind() == Instruction.Kind.JUMP || m.equals("ret") || m.equals("jmp") || m.equals("ud2");
	}

	/** {@code [start, end)} when every byte there is a NOP or an int3 (compilers' padding between functions). */
	private long[] padding(long start, long end) {
		if (end - start < ISLAND || end - start > 4096) {
			return null;
		}
		byte[] bytes = code.apply(start, (int) (end - start));
		if (bytes == null) {
			return null;
		}
		int n = 0;
		for (Instruction i : decoder.get().decodeAll(bytes, start, 0)) {
			if (!i.mnemonic().equals("nop") && !i.mnemonic().equals("int3")) {
				return null;
			}
			n += i.length();
		}
		return n == bytes.length ? new long[] { start, end } : null;
	}
}
