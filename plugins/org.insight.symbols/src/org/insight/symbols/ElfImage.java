package org.insight.symbols;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import org.eclipse.cdt.utils.elf.Elf;

/**
 * A static x86-64 Linux executable (non-PIE ET_EXEC, or a static-PIE ET_DYN), read whole into memory and checked
 * before anything is loaded from it. Immutable.
 * <p>
 * The file is first validated byte by byte ({@link RawElf}); only then does CDT's ELF reader read its header,
 * program headers and symbol table, and what CDT reports is checked against the validated bytes.
 */
public final class ElfImage {
	/** The whole file is held in one array; a static executable is a few MiB, this leaves ample room. */
	static final long MAX_FILE_SIZE = 1L << 30;

	private final Path file;
	private final byte[] bytes;
	private final long entry;
	private final boolean positionIndependent;
	private final List<LoadSegment> loadSegments;
	private final long phdrVaddr;
	private final int phnum;
	private final Optional<String> buildId;
	private final String sha256;
	private final SymbolTable symbols;

	private ElfImage(Path file, byte[] bytes, RawElf raw, List<LoadSegment> loadSegments, long entry,
			SymbolTable symbols) {
		this.file = file;
		this.bytes = bytes;
		this.entry = entry;
		this.positionIndependent = raw.positionIndependent;
		this.loadSegments = List.copyOf(loadSegments);
		this.phdrVaddr = raw.phdrVaddr;
		this.phnum = raw.phnum;
		this.buildId = raw.buildId;
		this.sha256 = sha256(bytes);
		this.symbols = symbols;
	}

	/**
	 * Reads and checks {@code file}.
	 *
	 * @throws ElfFormatException   when the file is not a static x86-64 executable InSight can run; the message
	 *                              names the file and why
	 * @throws UncheckedIOException when the file cannot be read
	 */
	public static ElfImage read(Path file) {
		byte[] bytes;
		try {
			long size = Files.size(file);
			if (size > MAX_FILE_SIZE) {
				throw new ElfFormatException(file, "file of 0x" + Long.toHexString(size)
						+ " bytes is larger than InSight reads (0x" + Long.toHexString(MAX_FILE_SIZE) + ")");
			}
			bytes = Files.readAllBytes(file);
		} catch (IOException e) {
			throw new UncheckedIOException("cannot read ELF file " + file + ": " + e, e);
		}
		RawElf raw = RawElf.parse(file, bytes);
		try (Elf elf = new Elf(file.toString())) {
			Elf.ELFhdr header = elf.getELFhdr();
			long entry = header.e_entry.getValue().longValue();
			List<LoadSegment> segments = loadSegments(elf);
			if (entry != raw.entry || header.e_phnum != raw.phnum || segments.size() != raw.loads.size()) {
				throw new ElfFormatException(file, "the file changed while it was read (CDT's reader saw entry 0x"
						+ Long.toHexString(entry) + " and " + segments.size() + " PT_LOAD segments)");
			}
			elf.loadSymbols();
			SymbolTable symbols = symbolTable(elf.getSymbols());
			return new ElfImage(file, bytes, raw, segments, entry, symbols);
		} catch (IOException e) {
			// The bytes were validated, so a failure here means CDT and the validator disagree: name it.
			throw new ElfFormatException(file, "CDT's ELF reader failed on a file that passed validation: " + e, e);
		}
	}

	private static List<LoadSegment> loadSegments(Elf elf) throws IOException {
		List<LoadSegment> segments = new ArrayList<>();
		for (Elf.PHdr ph : elf.getPHdrs()) {
			if (ph.p_type != Elf.PHdr.PT_LOAD) {
				continue;
			}
			long flags = ph.p_flags;
			segments.add(new LoadSegment(ph.p_vaddr.getValue().longValue(), ph.p_memsz, ph.p_offset, ph.p_filesz,
					(flags & Elf.PHdr.PF_R) != 0, (flags & Elf.PHdr.PF_W) != 0, (flags & Elf.PHdr.PF_X) != 0));
		}
		return segments;
	}

	private static SymbolTable symbolTable(Elf.Symbol[] elfSymbols) {
		List<Symbol> symbols = new ArrayList<>();
		if (elfSymbols == null) {
			return SymbolTable.empty(); // CDT leaves it null when the file has neither .symtab nor .dynsym
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
		return SymbolTable.of(symbols);
	}

	private static String sha256(byte[] bytes) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("SHA-256 is missing from this JDK", e);
		}
	}

	public Path file() {
		return file;
	}

	/** The whole file (a copy). */
	public byte[] bytes() {
		return bytes.clone();
	}

	/** Copies {@code length} file bytes from {@code fileOffset} into {@code dst}, without copying the whole file. */
	public void copyBytes(long fileOffset, byte[] dst, int dstOffset, int length) {
		System.arraycopy(bytes, Math.toIntExact(fileOffset), dst, dstOffset, length);
	}

	/** File size in bytes. */
	public long size() {
		return bytes.length;
	}

	/** e_entry (relative to the load bias for a static-PIE). */
	public long entry() {
		return entry;
	}

	/** True for a static-PIE (ET_DYN): every address of the file is relative to the base it is loaded at. */
	public boolean isPositionIndependent() {
		return positionIndependent;
	}

	/** The PT_LOAD segments, in ascending address order, not overlapping. */
	public List<LoadSegment> loadSegments() {
		return loadSegments;
	}

	/** Where the program header table is in memory (AT_PHDR, before the bias). */
	public long phdrVaddr() {
		return phdrVaddr;
	}

	public int phnum() {
		return phnum;
	}

	public int phentsize() {
		return RawElf.PHDR_SIZE;
	}

	/** The GNU build-id note, in hex, when the linker wrote one. */
	public Optional<String> buildId() {
		return buildId;
	}

	/** SHA-256 of the whole file, in hex. */
	public String sha256() {
		return sha256;
	}

	/** Functions and objects from .symtab (or .dynsym when stripped); empty when the file has neither. */
	public SymbolTable symbols() {
		return symbols;
	}

	@Override
	public String toString() {
		return "ElfImage[" + file + (positionIndependent ? ", static-PIE" : ", static") + ", entry 0x"
				+ Long.toHexString(entry) + ", " + loadSegments.size() + " PT_LOAD]";
	}
}
