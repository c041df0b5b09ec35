package org.insight.analysis;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import org.insight.analysis.deadlock.Names;
import org.insight.symbols.Symbol;
import org.insight.symbols.SymbolTable;

/**
 * Names a lock by the data symbol it lies in and its decimal offset there ("forks+24", "lock_a"), as a C programmer
 * would find it; a lock outside every symbol (the heap, a stack) keeps its address, and a report shows its init site.
 */
public final class LockNames implements Names {
	private final Supplier<SymbolTable> symbols;

	public LockNames(SymbolTable symbols) {
		this(() -> symbols);
	}

	/** Names from whatever table {@code symbols} gives when asked: the guest's, which grows as ld.so maps libraries. */
	public LockNames(Supplier<SymbolTable> symbols) {
		this.symbols = Objects.requireNonNull(symbols, "symbols");
	}

	@Override
	public String of(LockRef lock) {
		Optional<Symbol> s;
		try {
			s = symbols.get().lookup(lock.address());
		} catch (RuntimeException unreadable) {
			s = Optional.empty();
		}
		if (s.isPresent() && !s.get().function()) {
			long off = lock.address() - s.get().address();
			return off == 0 ? s.get().name() : s.get().name() + "+" + off;
		}
		return "0x" + Long.toHexString(lock.address());
	}
}
