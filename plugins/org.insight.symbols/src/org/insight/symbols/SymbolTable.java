package org.insight.symbols;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Functions and data objects of an executable, looked up by address and by name. Immutable.
 * <p>
 * Several names often share one address (glibc: {@code malloc} and {@code __libc_malloc}). An address is described
 * with one of them, chosen the same way every time: a function before an object, then the name with fewer leading
 * underscores, then the shorter name, then alphabetical order. {@link #byName} knows every name.
 * <p>
 * A function whose size is 0 (hand-written assembly without {@code .size}) covers the addresses up to the next
 * symbol, as debuggers do with minimal symbols; an object of size 0 covers only its own address.
 */
public final class SymbolTable {
	private static final Comparator<Symbol> PREFERENCE = Comparator.comparing((Symbol s) -> !s.function())
			.thenComparingInt(s -> leadingUnderscores(s.name())).thenComparingInt(s -> s.name().length())
			.thenComparing(Symbol::name);
	/** After PREFERENCE: the constructor uses it. */
	private static final SymbolTable EMPTY = new SymbolTable(List.of());

	private final List<Symbol> all;
	private final Map<String, Symbol> byName = new HashMap<>();
	/** One symbol per address (the preferred alias), sorted by address. */
	private final Symbol[] starts;
	/** Where each of {@link #starts} stops covering addresses (see the class comment for size 0). */
	private final long[] ends;
	/** The largest of {@code ends[0..i]}: no symbol at or before i covers an address at or past it. */
	private final long[] maxEnds;

	private SymbolTable(List<Symbol> symbols) {
		List<Symbol> sorted = new ArrayList<>(symbols);
		sorted.sort(Comparator.comparingLong(Symbol::address).thenComparing(PREFERENCE));
		all = List.copyOf(sorted);
		for (Symbol s : all) {
			byName.merge(s.name(), s, (a, b) -> PREFERENCE.compare(a, b) <= 0 ? a : b);
		}
		List<Symbol> unique = new ArrayList<>();
		for (Symbol s : all) {
			if (unique.isEmpty() || unique.get(unique.size() - 1).address() != s.address()) {
				unique.add(s);
			}
		}
		starts = unique.toArray(Symbol[]::new);
		ends = new long[starts.length];
		maxEnds = new long[starts.length];
		for (int i = 0; i < starts.length; i++) {
			Symbol s = starts[i];
			long end;
			if (s.size() > 0) {
				end = s.address() + s.size();
			} else if (s.function() && i + 1 < starts.length) {
				end = starts[i + 1].address();
			} else {
				end = s.address() + 1;
			}
			ends[i] = end;
			maxEnds[i] = i == 0 ? end : Math.max(maxEnds[i - 1], end);
		}
	}

	/** A table of the given symbols, in any order. */
	public static SymbolTable of(Collection<Symbol> symbols) {
		return symbols.isEmpty() ? EMPTY : new SymbolTable(List.copyOf(symbols));
	}

	public static SymbolTable empty() {
		return EMPTY;
	}

	/** Every symbol, sorted by address, aliases included. */
	public List<Symbol> all() {
		return all;
	}

	/** The STT_FUNC symbols, sorted by address, aliases included. */
	public List<Symbol> functions() {
		return all.stream().filter(Symbol::function).toList();
	}

	public int size() {
		return all.size();
	}

	/** The innermost symbol that covers {@code address}. */
	public Optional<Symbol> lookup(long address) {
		int i = lastStartAtOrBelow(address);
		for (int j = i; j >= 0 && Long.compareUnsigned(maxEnds[j], address) > 0; j--) {
			if (Long.compareUnsigned(ends[j], address) > 0) {
				return Optional.of(starts[j]);
			}
		}
		return Optional.empty();
	}

	public Optional<Symbol> byName(String name) {
		return Optional.ofNullable(byName.get(name));
	}

	/** "main+0x1c", "main" at its first byte, or "0x401000" when no symbol covers the address. */
	public String describe(long address) {
		return lookup(address).map(s -> s.address() == address ? s.name()
				: s.name() + "+0x" + Long.toHexString(address - s.address()))
				.orElse("0x" + Long.toHexString(address));
	}

	/** The same symbols moved by {@code bias}: a static-PIE's table once the image is loaded at that base. */
	public SymbolTable withBias(long bias) {
		if (bias == 0 || all.isEmpty()) {
			return this;
		}
		return new SymbolTable(all.stream().map(s -> s.withBias(bias)).toList());
	}

	private int lastStartAtOrBelow(long address) {
		int low = 0;
		int high = starts.length - 1;
		int found = -1;
		while (low <= high) {
			int mid = (low + high) >>> 1;
			if (Long.compareUnsigned(starts[mid].address(), address) <= 0) {
				found = mid;
				low = mid + 1;
			} else {
				high = mid - 1;
			}
		}
		return found;
	}

	private static int leadingUnderscores(String name) {
		int n = 0;
		while (n < name.length() && name.charAt(n) == '_') {
			n++;
		}
		return n;
	}

	@Override
	public String toString() {
		return "SymbolTable[" + all.size() + " symbols" + (starts.length == 0 ? ""
				: String.format(", 0x%x..0x%x", starts[0].address(), Arrays.stream(ends).max().orElse(0))) + "]";
	}
}
