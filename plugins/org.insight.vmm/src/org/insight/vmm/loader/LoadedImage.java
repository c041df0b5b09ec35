package org.insight.vmm.loader;

import java.util.Optional;

import org.insight.symbols.ElfImage;
import org.insight.symbols.SymbolTable;

/**
 * An executable placed in guest memory, with its interpreter when it is dynamically linked. All addresses are where
 * they are in the guest (the bias included).
 *
 * @param entry           the program's entry (AT_ENTRY)
 * @param phdr            the program header table in guest memory (AT_PHDR)
 * @param phnum           number of program headers (AT_PHNUM)
 * @param bias            what was added to the file's addresses: 0 for ET_EXEC, the load base for a PIE
 * @param brkStart        the first page after the image, where the brk heap starts
 * @param image           the file
 * @param symbols         its symbols, moved by the bias
 * @param interpreterBase where the interpreter (ld.so) was loaded (AT_BASE); 0 for a static program
 * @param start           where the first thread starts: the interpreter's entry, else {@code entry}
 * @param interpreter     the interpreter's file, loaded at {@code interpreterBase}; empty for a static program
 */
public record LoadedImage(long entry, long phdr, int phnum, long bias, long brkStart, ElfImage image,
		SymbolTable symbols, long interpreterBase, long start, Optional<ElfImage> interpreter) {
	/** True when the program was loaded with an interpreter, which runs first and loads its libraries. */
	public boolean dynamic() {
		return interpreterBase != 0;
	}
}
