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

/**
 * A static x86-64 Linux executable (non-PIE ET_EXEC, or a static-PIE ET_DYN), read whole into memory and checked
 * before anything is loaded from it. Immutable.
 * <p>
 * {@link #read} does only what loading needs: the file is read once and validated byte by byte ({@link RawElf}),
 * which gives the header, the program headers and the build-id. The symbol table is read on its first query
 * ({@link #symbols()}: a lazy {@link SymbolTable}), by CDT's ELF reader or from the {@link SymbolCache} that keeps
 * what CDT read, and the SHA-256 on the first {@link #sha256()}: a run that never asks for them never pays for them.
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
	private final DynamicInfo dynamic;
	private volatile String sha256;
	private final SymbolTable symbols;
	private final List<RawElf.SectionHeader> sections;

	private ElfImage(Path file, byte[] bytes, RawElf raw, SymbolCache cache) {
		this.file = file;
		this.bytes = bytes;
		this.entry = raw.entry;
		this.positionIndependent = raw.positionIndependent;
		this.loadSegments = List.copyOf(loadSegments(raw));
		this.phdrVaddr = raw.phdrVaddr;
		this.phnum = raw.phnum;
		this.buildId = raw.buildId;
		this.sections = List.copyOf(raw.sections);
		this.dynamic = raw.dynamic;
		this.symbols = SymbolTable.lazy(() -> ElfSymbols.load(file, bytes, raw, cache));
	}

	/**
	 * Reads and checks {@code file}; its symbols are read when first asked for.
	 *
	 * @throws ElfFormatException   when the file is not a static x86-64 executable InSight can run; the message
	 *                              names the file and why
	 * @throws UncheckedIOException when the file cannot be read
	 */
	public static ElfImage read(Path file) {
		return read(file, SymbolCache.standard());
	}

	/** {@link #read(Path)} with the given symbol cache. */
	static ElfImage read(Path file, SymbolCache cache) {
		byte[] bytes = readBytes(file);
		return new ElfImage(file, bytes, RawElf.parse(file, bytes), cache);
	}

	/**
	 * A dynamic loader (the program's PT_INTERP: a shared object, ET_DYN, loaded at a base of the loader's choice)
	 * from its bytes; {@code name} names it in messages.
	 *
	 * @throws ElfFormatException when the bytes are not an x86-64 ELF image that can be loaded
	 */
	public static ElfImage interpreter(Path name, byte[] bytes) {
		byte[] copy = bytes.clone();
		return new ElfImage(name, copy, RawElf.parse(name, copy, RawElf.Kind.INTERPRETER), SymbolCache.off());
	}

	/**
	 * A shared library (ET_DYN) from its bytes, as the guest's dynamic loader mapped it; {@code name} names it in
	 * messages. Its symbols (.symtab, or .dynsym when stripped, as a distribution's libc.so.6 is) are read on the first
	 * query and cached by build-id like a program's. The array is kept, not copied: the caller never changes it (a
	 * provided file's contents).
	 *
	 * @throws ElfFormatException when the bytes are not an x86-64 ELF shared object
	 */
	public static ElfImage library(Path name, byte[] bytes) {
		return new ElfImage(name, bytes, RawElf.parse(name, bytes, RawElf.Kind.LIBRARY, true),
				SymbolCache.standard());
	}

	/**
	 * What a shared library asks of the dynamic loader (its DT_NEEDED, DT_RUNPATH and DT_RPATH), read and checked as
	 * far as that needs.
	 *
	 * @throws ElfFormatException   when the file is not an x86-64 ELF shared object
	 * @throws UncheckedIOException when it cannot be read
	 */
	public static DynamicInfo libraryDynamicInfo(Path file) {
		return RawElf.parse(file, readBytes(file), RawElf.Kind.LIBRARY).dynamic;
	}

	private static byte[] readBytes(Path file) {
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
		return bytes;
	}

	private static List<LoadSegment> loadSegments(RawElf raw) {
		List<LoadSegment> segments = new ArrayList<>();
		for (RawElf.ProgramHeader ph : raw.loads) {
			segments.add(new LoadSegment(ph.vaddr(), ph.memSize(), ph.offset(), ph.fileSize(),
					(ph.flags() & RawElf.PF_R) != 0, (ph.flags() & RawElf.PF_W) != 0, (ph.flags() & RawElf.PF_X) != 0));
		}
		return segments;
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

	/** PT_INTERP and the DT_NEEDED libraries: {@link DynamicInfo#NONE} for a static executable. */
	public DynamicInfo dynamic() {
		return dynamic;
	}

	/** The GNU build-id note, in hex, when the linker wrote one. */
	public Optional<String> buildId() {
		return buildId;
	}

	/** SHA-256 of the whole file, in hex (computed on the first call). */
	public String sha256() {
		String s = sha256;
		if (s == null) {
			try {
				s = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
			} catch (NoSuchAlgorithmException e) {
				throw new IllegalStateException("SHA-256 is missing from this JDK", e);
			}
			sha256 = s;
		}
		return s;
	}

	/**
	 * Functions and objects from .symtab (or .dynsym when stripped); empty when the file has neither. The table is
	 * lazy: the first query reads it, and throws an {@link ElfFormatException} when CDT cannot read it.
	 */
	/**
	 * The first section named {@code name} that has bytes in the file, with its link-time address (sh_addr): for
	 * example {@code .eh_frame}, which the stack unwinder reads ({@link CallFrameInfo}).
	 */
	public Optional<ElfSection> section(String name) {
		for (RawElf.SectionHeader s : sections) {
			if (s.name().equals(name) && s.type() != RawElf.SHT_NOBITS && s.type() != RawElf.SHT_NULL) {
				byte[] b = new byte[(int) s.size()]; // RawElf checked the section lies in the file
				System.arraycopy(bytes, (int) s.offset(), b, 0, b.length);
				return Optional.of(new ElfSection(name, s.addr(), b));
			}
		}
		return Optional.empty();
	}

	public SymbolTable symbols() {
		return symbols;
	}

	@Override
	public String toString() {
		return "ElfImage[" + file + (dynamic.isDynamic() ? ", dynamic" : "")
				+ (positionIndependent ? ", static-PIE" : ", static") + ", entry 0x"
				+ Long.toHexString(entry) + ", " + loadSegments.size() + " PT_LOAD]";
	}
}
