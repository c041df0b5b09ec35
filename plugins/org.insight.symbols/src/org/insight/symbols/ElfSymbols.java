package org.insight.symbols;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.eclipse.cdt.utils.elf.Elf;

/**
 * Reads the symbols of a validated executable, on the first query of its {@link SymbolTable}: from the
 * {@link SymbolCache} when it holds them, else with CDT's ELF reader, whose result is then cached.
 * <p>
 * CDT reads a file by name, symbol by symbol (several small reads each: about 40 ms for a static glibc program on a
 * host, far more under emulation), so it only runs when the cache cannot answer. It must read the bytes that were
 * validated: the file is compared with them first, and when it changed or is gone since (a rebuilt program, a replay's
 * temporary copy), CDT reads a private copy of the validated bytes instead.
 */
final class ElfSymbols {
	private ElfSymbols() {
	}

	/** Functions and objects from .symtab (or .dynsym when there is none); empty when the file has neither. */
	static List<Symbol> load(Path file, byte[] bytes, RawElf raw, SymbolCache cache) {
		if (!hasSymbolTable(raw)) {
			return List.of();
		}
		byte[] key = cache.enabled() ? SymbolCache.key(raw) : null;
		if (key != null) {
			List<Symbol> cached = cache.read(raw.buildId, key);
			if (cached != null) {
				return cached;
			}
		}
		List<Symbol> parsed = parse(file, bytes, raw);
		if (key != null) {
			cache.write(raw.buildId, key, parsed);
		}
		return parsed;
	}

	private static boolean hasSymbolTable(RawElf raw) {
		return raw.sections.stream().anyMatch(s -> s.type() == RawElf.SHT_SYMTAB || s.type() == RawElf.SHT_DYNSYM);
	}

	/** CDT's reading of the symbol table, on the validated bytes; the header and PT_LOADs are checked again. */
	static List<Symbol> parse(Path file, byte[] bytes, RawElf raw) {
		Path copy = null;
		try {
			Path source = file;
			if (!sameBytes(file, bytes)) {
				copy = privateCopy(bytes);
				source = copy;
			}
			try (Elf elf = new Elf(source.toString())) {
				Elf.ELFhdr header = elf.getELFhdr();
				long entry = header.e_entry.getValue().longValue();
				long loads = Arrays.stream(elf.getPHdrs()).filter(ph -> ph.p_type == Elf.PHdr.PT_LOAD).count();
				if (entry != raw.entry || header.e_phnum != raw.phnum || loads != raw.loads.size()) {
					throw new ElfFormatException(file, "CDT's ELF reader does not see the validated file (entry 0x"
							+ Long.toHexString(entry) + " and " + loads + " PT_LOAD segments)");
				}
				elf.loadSymbols();
				return symbols(elf.getSymbols());
			}
		} catch (IOException | RuntimeException e) {
			if (e instanceof ElfFormatException f) {
				throw f;
			}
			if (e instanceof java.io.UncheckedIOException hostFailure) {
				throw hostFailure; // privateCopy's: the host's, not the file's
			}
			// The bytes were validated, so a failure here means CDT and the validator disagree: name it.
			throw new ElfFormatException(file, "CDT's ELF reader failed on a file that passed validation: " + e, e);
		} finally {
			if (copy != null) {
				try {
					Files.deleteIfExists(copy);
				} catch (IOException e) {
					// a temporary file left behind: nothing to report
				}
			}
		}
	}

	/**
	 * The validated bytes in a temporary file for CDT. A failure here is the host's (a full or unwritable temporary
	 * folder), not the file's, so it is no {@link ElfFormatException}: a caller that treats a bad file as one without
	 * symbols must not take a host failure for that (a replay on another host would then hook less than its
	 * recording did).
	 */
	private static Path privateCopy(byte[] bytes) {
		Path copy = null;
		try {
			copy = Files.createTempFile("insight-elf-", ".copy");
			Files.write(copy, bytes);
			return copy;
		} catch (IOException e) {
			try {
				if (copy != null) {
					Files.deleteIfExists(copy);
				}
			} catch (IOException ignored) {
				// a partial temporary file left behind: the failure below says what went wrong
			}
			throw new java.io.UncheckedIOException("cannot write a temporary copy of an ELF file for CDT's reader", e);
		}
	}

	private static boolean sameBytes(Path file, byte[] bytes) {
		try {
			return Files.size(file) == bytes.length && Arrays.equals(Files.readAllBytes(file), bytes);
		} catch (IOException e) {
			return false;
		}
	}

	private static List<Symbol> symbols(Elf.Symbol[] elfSymbols) {
		List<Symbol> symbols = new ArrayList<>();
		if (elfSymbols == null) {
			return symbols; // CDT leaves it null when the file has neither .symtab nor .dynsym
		}
		for (Elf.Symbol s : elfSymbols) {
			int type = s.st_type();
			// STT_GNU_IFUNC is left out on purpose: its value is the resolver, not the function a caller reaches.
			if (type != Elf.Symbol.STT_FUNC && type != Elf.Symbol.STT_OBJECT) {
				continue;
			}
			long address = s.st_value.getValue().longValue();
			if (s.st_shndx == Elf.Symbol.SHN_UNDEF || address == 0 || address < 0) {
				continue;
			}
			long size = Math.max(0, Math.min(s.st_size, RawElf.USER_TOP - Math.min(address, RawElf.USER_TOP)));
			symbols.add(new Symbol(s.toString(), address, size, type == Elf.Symbol.STT_FUNC));
		}
		return symbols;
	}
}
