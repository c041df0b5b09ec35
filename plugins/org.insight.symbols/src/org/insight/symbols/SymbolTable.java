package org.insight.symbols;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Functions and data objects of an executable, looked up by address and by name. Immutable.
 * <p>
 * Several names often share one address (glibc: {@code malloc} and {@code __libc_malloc}). An address is described
 * with one of them, chosen the same way every time: a function before an object, then the name with fewer leading
 * underscores, then the shorter name, then alphabetical order. {@link #byName} knows every name.
 * <p>
 * A function whose size is 0 (hand-written assembly without {@code .size}) covers the addresses up to the next
 * symbol, as debuggers do with minimal symbols; an object of size 0 covers only its own address.
 * <p>
 * A table can be <em>lazy</em> ({@link #lazy}): its symbols are read on its first query, once, and most runs never
 * ask (a guest that neither crashes nor runs in locks mode). When they cannot be read, every query throws that
 * reason ({@link ElfFormatException} for an executable), except {@link #describe}, which gives the bare address: a
 * crash or deadlock report never fails for want of names.
 */
public final class SymbolTable {
	private static final Comparator<Symbol> PREFERENCE = Comparator.comparing((Symbol s) -> !s.function())
			.thenComparingInt(s -> leadingUnderscores(s.name())).thenComparingInt(s -> s.name().length())
			.thenComparing(Symbol::name);
	/** After PREFERENCE: the index uses it. */
	private static final SymbolTable EMPTY = new SymbolTable(new Index(List.of()));

	/** Where a lazy table's symbols come from; null once they were read (or for an eager table). */
	private Supplier<? extends Collection<Symbol>> source;
	private volatile Index index;
	/** Why a lazy table's symbols could not be read: thrown again by every query. */
	private RuntimeException failure;

	private SymbolTable(Index index) {
		this.index = index;
	}

	private SymbolTable(Supplier<? extends Collection<Symbol>> source) {
		this.source = source;
	}

	/** A table of the given symbols, in any order. */
	public static SymbolTable of(Collection<Symbol> symbols) {
		return symbols.isEmpty() ? EMPTY : new SymbolTable(new Index(List.copyOf(symbols)));
	}

	/**
	 * A table whose symbols {@code source} gives on the first query (from any thread; it is called at most once). What
	 * it throws, every query throws.
	 */
	public static SymbolTable lazy(Supplier<? extends Collection<Symbol>> source) {
		return new SymbolTable(source);
	}

	public static SymbolTable empty() {
		return EMPTY;
	}

	/** True once the symbols are in memory (always for {@link #of}); no query has to read them any more. */
	public boolean isLoaded() {
		return index != null;
	}

	private Index index() {
		Index i = index;
		if (i != null) {
			return i;
		}
		synchronized (this) {
			if (index == null) {
				if (failure != null) {
					throw failure;
				}
				try {
					index = new Index(List.copyOf(source.get()));
					source = null;
				} catch (RuntimeException e) {
					failure = e;
					source = null;
					throw e;
				}
			}
			return index;
		}
	}

	/** Every symbol, sorted by address, aliases included. */
	public List<Symbol> all() {
		return index().all;
	}

	/** The STT_FUNC symbols, sorted by address, aliases included. */
	public List<Symbol> functions() {
		return all().stream().filter(Symbol::function).toList();
	}

	public int size() {
		return all().size();
	}

	/** The innermost symbol that covers {@code address}. */
	public Optional<Symbol> lookup(long address) {
		return index().lookup(address);
	}

	public Optional<Symbol> byName(String name) {
		return Optional.ofNullable(index().byName.get(name));
	}

	/**
	 * Every symbol named {@code name}, by address. A shared library's .dynsym can hold one name at several addresses,
	 * one per symbol version (glibc's {@code pthread_cond_wait} of GLIBC_2.3.2 and its GLIBC_2.2.5 compatibility
	 * version), which {@link #byName} would reduce to one.
	 */
	public List<Symbol> allNamed(String name) {
		return index().allByName.getOrDefault(name, List.of());
	}

	/**
	 * "main+0x1c", "main" at its first byte, or "0x401000" when no symbol covers the address or when the symbols of a
	 * lazy table cannot be read.
	 */
	public String describe(long address) {
		Optional<Symbol> symbol;
		try {
			symbol = lookup(address);
		} catch (RuntimeException unreadable) {
			symbol = Optional.empty(); // documented: a report keeps the address rather than failing
		}
		return symbol.map(s -> s.address() == address ? s.name()
				: s.name() + "+0x" + Long.toHexString(address - s.address()))
				.orElse("0x" + Long.toHexString(address));
	}

	/**
	 * The same symbols moved by {@code bias}: a static-PIE's table once the image is loaded at that base. A lazy table
	 * gives a lazy table: nothing is read here.
	 */
	public SymbolTable withBias(long bias) {
		if (bias == 0 || this == EMPTY) {
			return this;
		}
		Index loaded = index;
		if (loaded == null) {
			return lazy(() -> moved(index().all, bias));
		}
		return loaded.all.isEmpty() ? this : new SymbolTable(new Index(moved(loaded.all, bias)));
	}

	private static List<Symbol> moved(List<Symbol> symbols, long bias) {
		return symbols.stream().map(s -> s.withBias(bias)).toList();
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
		Index i = index;
		if (i == null) {
			return "SymbolTable[not read yet]";
		}
		return "SymbolTable[" + i.all.size() + " symbols" + (i.starts.length == 0 ? ""
				: String.format(", 0x%x..0x%x", i.starts[0].address(), Arrays.stream(i.ends).max().orElse(0))) + "]";
	}

	/** The symbols sorted for lookups by address and by name. */
	private static final class Index {
		final List<Symbol> all;
		final Map<String, Symbol> byName = new HashMap<>();
		/** Every symbol of each name, by address. */
		final Map<String, List<Symbol>> allByName = new HashMap<>();
		/** One symbol per address (the preferred alias), sorted by address. */
		final Symbol[] starts;
		/** Where each of {@link #starts} stops covering addresses (see the class comment for size 0). */
		final long[] ends;
		/** The largest of {@code ends[0..i]}: no symbol at or before i covers an address at or past it. */
		final long[] maxEnds;

		Index(List<Symbol> symbols) {
			List<Symbol> sorted = new ArrayList<>(symbols);
			sorted.sort(Comparator.comparingLong(Symbol::address).thenComparing(PREFERENCE));
			all = List.copyOf(sorted);
			for (Symbol s : all) {
				byName.merge(s.name(), s, (a, b) -> PREFERENCE.compare(a, b) <= 0 ? a : b);
				allByName.computeIfAbsent(s.name(), n -> new ArrayList<>(1)).add(s);
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

		Optional<Symbol> lookup(long address) {
			int i = lastStartAtOrBelow(address);
			for (int j = i; j >= 0 && Long.compareUnsigned(maxEnds[j], address) > 0; j--) {
				if (Long.compareUnsigned(ends[j], address) > 0) {
					return Optional.of(starts[j]);
				}
			}
			return Optional.empty();
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
	}
}
