package org.insight.symbols;

/**
 * One PT_LOAD program header: {@code memSize} bytes at {@code vaddr} (relative to the load bias for a static-PIE), of
 * which the first {@code fileSize} come from the file at {@code fileOffset} and the rest are zero (bss).
 */
public record LoadSegment(long vaddr, long memSize, long fileOffset, long fileSize, boolean readable,
		boolean writable, boolean executable) {

	/** First address past the segment. */
	public long end() {
		return vaddr + memSize;
	}

	public boolean contains(long address) {
		return address >= vaddr && address - vaddr < memSize;
	}

	@Override
	public String toString() {
		return String.format("LOAD 0x%x..0x%x %s%s%s file 0x%x+0x%x", vaddr, end(), readable ? "r" : "-",
				writable ? "w" : "-", executable ? "x" : "-", fileOffset, fileSize);
	}
}
