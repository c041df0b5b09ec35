package org.insight.symbols;

/** A function (STT_FUNC) or data object (STT_OBJECT) of an ELF symbol table. */
public record Symbol(String name, long address, long size, boolean function) {

	/** First address past the symbol (its address when the size is unknown). */
	public long end() {
		return address + size;
	}

	/** A copy moved by {@code bias} (a static-PIE loaded at a base address). */
	public Symbol withBias(long bias) {
		return new Symbol(name, address + bias, size, function);
	}
}
