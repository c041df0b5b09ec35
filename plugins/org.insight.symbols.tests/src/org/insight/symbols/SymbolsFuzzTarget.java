package org.insight.symbols;

import java.nio.file.Path;

import org.insight.testsupport.FuzzInput;

/**
 * Fuzz target "symbols": the input is an executable whose symbol table is read (CDT's ELF reader behind
 * {@link ElfImage#symbols()}, no symbol cache) and queried as the analysis does: every function looked up by its
 * address and name. Accepted: {@link ElfFormatException} (one line, exit 2). Run by {@code ./insight fuzz symbols},
 * replayed by {@code SymbolsFuzzCorpusTest}.
 */
public final class SymbolsFuzzTarget {
	private SymbolsFuzzTarget() {
	}

	private static final Path FILE = FuzzInput.scratchFile("fuzz-symbols.elf");

	public static void fuzzerTestOneInput(byte[] data) {
		run(data);
	}

	/** One input through the target: null when it was read whole, the refusal when it was refused. */
	static Throwable run(byte[] data) {
		FuzzInput.write(FILE, data);
		return FuzzInput.check("symbols", () -> query(FILE), ElfFormatException.class);
	}

	static void query(Path file) {
		SymbolTable table = ElfImage.read(file, SymbolCache.off()).symbols();
		for (Symbol s : table.functions()) {
			table.lookup(s.address());
			table.lookup(s.address() + Math.max(0, s.size() - 1));
			table.byName(s.name());
			table.describe(s.address() + 1);
		}
		table.size();
	}
}
