package org.insight.vmm.loader;

import org.insight.symbols.ElfImage;
import org.insight.symbols.SymbolTable;

/**
 * An executable placed in guest memory. All addresses are where they are in the guest (the bias included).
 *
 * @param entry    where the first thread starts (AT_ENTRY)
 * @param phdr     the program header table in guest memory (AT_PHDR)
 * @param phnum    number of program headers (AT_PHNUM)
 * @param bias     what was added to the file's addresses: 0 for ET_EXEC, the load base for a static-PIE
 * @param brkStart the first page after the image, where the brk heap starts
 * @param image    the file
 * @param symbols  its symbols, moved by the bias
 */
public record LoadedImage(long entry, long phdr, int phnum, long bias, long brkStart, ElfImage image,
		SymbolTable symbols) {
}
