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
			functions = source.get().stream().filter(s -> s.function() && s.size() > 0)
					.sorted(java.util.Comparator.comparingLong(Symbol::address)).toList();
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
		long previous = Long.MIN_VALUE;
		for (Symbol f : functions()) {
			if (f.address() == previous) {
				continue; // an alias of the one just decoded
			}
			previous = f.address();
			byte[] bytes = code.apply(f.address(), (int) Math.min(f.size(), Integer.MAX_VALUE));
			boolean clear = bytes != null;
			int decoded = 0;
			if (clear) {
				for (Instruction i : decoder.get().decodeAll(bytes, f.address(), 0)) {
					decoded += i.length();
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
	}
}
