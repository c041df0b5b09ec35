package org.insight.symbols;

/** A section's name, link-time address (sh_addr) and bytes, copied out of the file. */
public record ElfSection(String name, long address, byte[] bytes) {
	public ElfSection {
		bytes = bytes.clone();
	}

	@Override
	public byte[] bytes() {
		return bytes.clone();
	}
}
