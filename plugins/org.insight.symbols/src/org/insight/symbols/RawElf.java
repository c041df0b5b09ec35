package org.insight.symbols;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The ELF64 header, program headers and section headers of a file, parsed by hand and checked against the file
 * size and against what a static x86-64 Linux executable must be.
 * <p>
 * Why by hand and not through CDT: CDT's {@code Elf} does not validate. It seeks to whatever offsets the header
 * claims and returns garbage or an {@code EOFException}, and on a file that is not ELF at all it calls into the
 * Eclipse runtime (a {@code NoClassDefFoundError} outside OSGi). So every bound is checked here, and CDT only ever
 * sees a file that passed. A few things CDT does not offer at all are also read here: the PT_INTERP string, the
 * PT_DYNAMIC entries (CDT reads them only through the {@code .dynamic} section header, but the loader's view of a
 * file is its program headers) and the build-id note (which stripped files keep in PT_NOTE without sections).
 */
final class RawElf {
	static final int EHDR_SIZE = 64;
	static final int PHDR_SIZE = 56;
	static final int SHDR_SIZE = 64;
	static final int SYM_SIZE = 24;
	static final int ET_REL = 1, ET_EXEC = 2, ET_DYN = 3, ET_CORE = 4;
	static final int EM_X86_64 = 62;
	static final int PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_NOTE = 4, PT_PHDR = 6;
	static final int PF_X = 1, PF_W = 2, PF_R = 4;
	static final long SHF_COMPRESSED = 0x800;
	static final int SHT_NULL = 0, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_NOBITS = 8, SHT_DYNSYM = 11;
	static final long DT_NULL = 0, DT_NEEDED = 1, DT_STRTAB = 5, DT_STRSZ = 10, DT_RPATH = 15, DT_RUNPATH = 29,
			DT_FLAGS_1 = 0x6fff_fffbL;
	/** The most DT_NEEDED, DT_RPATH and DT_RUNPATH entries read from one file (a real library has a few). */
	static final int MAX_DYNAMIC_STRINGS = 1024;
	static final long DF_1_PIE = 0x0800_0000L;
	static final int NT_GNU_BUILD_ID = 3;
	static final long PAGE = 4096;
	/** Linux TASK_SIZE on x86-64 with 4-level paging: the first address no user mapping may reach. */
	static final long USER_TOP = 0x7fff_ffff_f000L;

	record ProgramHeader(int index, int type, int flags, long offset, long vaddr, long fileSize, long memSize) {
		long end() {
			return vaddr + memSize;
		}
	}

	record SectionHeader(int index, String name, int type, long offset, long size, int link, long entsize, long addr,
			long flags) {
	}

	final Path file;
	final byte[] bytes;
	private final ByteBuffer le;
	int type;
	long entry;
	long phoff;
	int phnum;
	final List<ProgramHeader> programHeaders = new ArrayList<>();
	final List<ProgramHeader> loads = new ArrayList<>();
	final List<SectionHeader> sections = new ArrayList<>();
	long phdrVaddr;
	/** e_shoff: where the section header table starts (its entries are {@link #sections}). */
	long shoff;
	boolean positionIndependent;
	Optional<String> buildId = Optional.empty();
	/** What the dynamic loader reads: PT_INTERP, DT_NEEDED, DT_RUNPATH, DT_RPATH (empty for a static file). */
	DynamicInfo dynamic = DynamicInfo.NONE;
	private final Kind kind;

	/** What a file is read as: the program, its dynamic loader, or a library it needs (only its dynamic info). */
	enum Kind {
		EXECUTABLE, INTERPRETER, LIBRARY
	}

	private RawElf(Path file, byte[] bytes, Kind kind) {
		this.file = file;
		this.kind = kind;
		this.bytes = bytes;
		this.le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
	}

	/** The largest program header table Linux's binfmt_elf reads (64 KiB: 1170 entries). */
	static final int MAX_PHDR_BYTES = 65536;

	/** Parses and validates; throws {@link ElfFormatException} naming the first problem found. */
	static RawElf parse(Path file, byte[] bytes) {
		return parse(file, bytes, Kind.EXECUTABLE);
	}

	/** Parses and validates a file of the given kind (a library's section headers are not read: see below). */
	static RawElf parse(Path file, byte[] bytes, Kind kind) {
		return parse(file, bytes, kind, kind != Kind.LIBRARY);
	}

	/**
	 * Parses and validates a file of the given kind; {@code sections} reads and checks its section headers too, which
	 * its symbols need (a library searched for on the host only needs its dynamic section).
	 */
	static RawElf parse(Path file, byte[] bytes, Kind kind, boolean sections) {
		RawElf elf = new RawElf(file, bytes, kind);
		elf.checkIdentification();
		elf.checkHeader();
		elf.readProgramHeaders();
		elf.readDynamic();
		elf.checkDynamicSection();
		elf.checkLoadSegments();
		elf.findPhdr();
		if (sections) {
			elf.readSections();
		}
		elf.buildId = elf.findBuildId();
		return elf;
	}

	private ElfFormatException fail(String reason) {
		return new ElfFormatException(file, reason);
	}

	private void checkIdentification() {
		if (bytes.length < 4 || bytes[0] != 0x7f || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F') {
			throw fail("not an ELF file (bad magic)");
		}
		if (bytes.length < 16) {
			throw fail("truncated: the ELF identification needs 0x10 bytes, the file has 0x"
					+ Integer.toHexString(bytes.length));
		}
		int elfClass = bytes[4] & 0xff;
		if (elfClass == 1) {
			throw fail("32-bit ELF (ELFCLASS32): InSight runs x86-64 (ELFCLASS64) executables only");
		}
		if (elfClass != 2) {
			throw fail("invalid ELF class " + elfClass + " (EI_CLASS)");
		}
		int data = bytes[5] & 0xff;
		if (data == 2) {
			throw fail("big-endian ELF (ELFDATA2MSB): x86-64 executables are little-endian");
		}
		if (data != 1) {
			throw fail("invalid ELF data encoding " + data + " (EI_DATA)");
		}
		if (bytes[6] != 1) {
			throw fail("unsupported ELF version " + (bytes[6] & 0xff) + " (EI_VERSION)");
		}
		if (bytes.length < EHDR_SIZE) {
			throw fail("truncated: the ELF header needs 0x40 bytes, the file has 0x" + Integer.toHexString(bytes.length));
		}
	}

	private void checkHeader() {
		type = u16(16);
		int machine = u16(18);
		if (machine != EM_X86_64) {
			throw fail("not x86-64 (e_machine " + machine + ", " + machineName(machine) + ")");
		}
		switch (type) {
		case ET_EXEC, ET_DYN -> {
		}
		case ET_REL -> throw fail("relocatable object file (ET_REL), not an executable: link it into a static executable");
		case ET_CORE -> throw fail("core dump (ET_CORE), not an executable");
		default -> throw fail("unknown ELF type (e_type 0x" + Integer.toHexString(type) + "), not an executable");
		}
		entry = le.getLong(24);
		phoff = le.getLong(32);
		int phentsize = u16(54);
		phnum = u16(56);
		if (phnum == 0xffff) {
			throw fail("e_phnum 0xffff (PN_XNUM): extended program header numbering is not supported");
		}
		if (phnum == 0) {
			throw fail("no program headers (e_phnum 0): nothing to load");
		}
		if (phentsize != PHDR_SIZE) {
			throw fail("e_phentsize " + phentsize + ", expected " + PHDR_SIZE + " for ELF64 program headers");
		}
		if ((long) phnum * PHDR_SIZE > MAX_PHDR_BYTES) {
			throw fail("e_phnum " + phnum + ": a program header table of " + (long) phnum * PHDR_SIZE
					+ " bytes, more than Linux loads (" + MAX_PHDR_BYTES + ")");
		}
	}

	private void readProgramHeaders() {
		for (int i = 0; i < phnum; i++) {
			if (!inFile(phoff, (long) (i + 1) * PHDR_SIZE)) {
				throw fail("truncated: program header " + i + " ends at " + hexSum(phoff, (long) (i + 1) * PHDR_SIZE)
						+ " past the file size " + hex(bytes.length));
			}
		}
		for (int i = 0; i < phnum; i++) {
			int p = (int) (phoff + (long) i * PHDR_SIZE);
			ProgramHeader ph = new ProgramHeader(i, le.getInt(p), le.getInt(p + 4), le.getLong(p + 8), le.getLong(p + 16),
					le.getLong(p + 32), le.getLong(p + 40));
			programHeaders.add(ph);
			boolean read = ph.type == PT_LOAD || ph.type == PT_INTERP || ph.type == PT_DYNAMIC || ph.type == PT_NOTE;
			if (read && !inFile(ph.offset, ph.fileSize)) {
				throw fail("truncated: the " + typeName(ph.type) + " segment of program header " + i + " ends at "
						+ hexSum(ph.offset, ph.fileSize) + " past the file size " + hex(bytes.length));
			}
			if (ph.type == PT_LOAD) {
				loads.add(ph);
			}
		}
	}

	/**
	 * PT_INTERP and the DT_NEEDED, DT_RUNPATH and DT_RPATH strings (read through DT_STRTAB, an address turned into a
	 * file offset by the PT_LOAD that holds it). A program that needs libraries but names no interpreter is refused:
	 * Linux would run it and it would crash at its first library call.
	 */
	private void readDynamic() {
		String interpreter = null;
		for (ProgramHeader ph : programHeaders) {
			if (ph.type == PT_INTERP) {
				interpreter = cString((int) ph.offset, (int) ph.fileSize);
				if (interpreter.isEmpty() || !interpreter.startsWith("/") || interpreter.length() >= 4096) {
					throw fail("PT_INTERP '" + (interpreter.length() > 80 ? interpreter.substring(0, 80) + "..."
							: interpreter) + "' is not an absolute path shorter than PATH_MAX");
				}
			}
		}
		List<long[]> entries = new ArrayList<>();
		for (ProgramHeader ph : programHeaders) {
			if (ph.type == PT_DYNAMIC) {
				entries.addAll(dynamicEntries(ph));
			}
		}
		long strtab = -1;
		long strsz = 0;
		int strings = 0;
		for (long[] d : entries) {
			if (d[0] == DT_STRTAB) {
				strtab = d[1];
			} else if (d[0] == DT_STRSZ) {
				strsz = d[1];
			} else if (d[0] == DT_NEEDED || d[0] == DT_RUNPATH || d[0] == DT_RPATH) {
				strings++;
			}
		}
		if (strings == 0) {
			dynamic = interpreter == null ? DynamicInfo.NONE
					: new DynamicInfo(Optional.of(interpreter), List.of(), List.of(), List.of());
			return;
		}
		if (interpreter == null && kind == Kind.EXECUTABLE) {
			throw fail("needs shared libraries (DT_NEEDED) but has no PT_INTERP: InSight runs static executables and "
					+ "dynamically linked ones with an interpreter; link with -static");
		}
		if (strings > MAX_DYNAMIC_STRINGS) {
			throw fail("PT_DYNAMIC has " + strings + " DT_NEEDED/DT_RUNPATH/DT_RPATH entries, more than InSight reads ("
					+ MAX_DYNAMIC_STRINGS + ")");
		}
		long tableOffset = -1;
		for (ProgramHeader ph : loads) {
			if (strtab != -1 && Long.compareUnsigned(strtab - ph.vaddr, ph.fileSize) < 0) {
				tableOffset = ph.offset + (strtab - ph.vaddr);
				long room = ph.fileSize - (strtab - ph.vaddr);
				strsz = Long.compareUnsigned(strsz, room) > 0 ? room : strsz;
			}
		}
		if (tableOffset < 0 || !inFile(tableOffset, strsz)) {
			throw fail("DT_STRTAB " + hex(strtab) + " (" + hex(strsz) + " bytes) is not in the file bytes of a PT_LOAD "
					+ "segment, so its DT_NEEDED names cannot be read");
		}
		List<String> needed = new ArrayList<>();
		List<String> runpath = new ArrayList<>();
		List<String> rpath = new ArrayList<>();
		for (long[] d : entries) {
			if (d[0] != DT_NEEDED && d[0] != DT_RUNPATH && d[0] != DT_RPATH) {
				continue;
			}
			if (Long.compareUnsigned(d[1], strsz) >= 0) {
				throw fail("a DT_NEEDED/DT_RUNPATH/DT_RPATH name at " + hex(d[1]) + " is outside the string table ("
						+ hex(strsz) + " bytes)");
			}
			String name = cString((int) (tableOffset + d[1]), (int) (strsz - d[1]));
			(d[0] == DT_NEEDED ? needed : d[0] == DT_RUNPATH ? runpath : rpath).add(name);
		}
		dynamic = new DynamicInfo(Optional.ofNullable(interpreter), needed, runpath, rpath);
	}

	private void checkLoadSegments() {
		if (loads.isEmpty()) {
			throw fail("no PT_LOAD segment: nothing to load");
		}
		ProgramHeader previous = null;
		for (ProgramHeader ph : loads) {
			String what = "PT_LOAD segment (program header " + ph.index + ")";
			if (Long.compareUnsigned(ph.fileSize, ph.memSize) > 0) {
				throw fail(what + ": p_filesz " + hex(ph.fileSize) + " is larger than p_memsz " + hex(ph.memSize));
			}
			if (Long.compareUnsigned(ph.vaddr, USER_TOP) >= 0) {
				throw fail(what + ": address " + hex(ph.vaddr) + " is not a user address (non-canonical or kernel half)");
			}
			if (Long.compareUnsigned(ph.memSize, USER_TOP - ph.vaddr) > 0) {
				throw fail(what + " at " + hex(ph.vaddr) + " ends at " + hexSum(ph.vaddr, ph.memSize)
						+ " above the highest user address " + hex(USER_TOP));
			}
			if (ph.fileSize != 0 && (ph.offset - ph.vaddr) % PAGE != 0) {
				throw fail(what + ": p_offset " + hex(ph.offset) + " and p_vaddr " + hex(ph.vaddr)
						+ " differ modulo the page size 0x1000");
			}
			if (previous != null && ph.vaddr < previous.end()) {
				throw fail("PT_LOAD segments overlap or are out of order: program header " + ph.index + " starts at "
						+ hex(ph.vaddr) + " before program header " + previous.index + " ends at " + hex(previous.end()));
			}
			previous = ph;
		}
		boolean entryExecutable = false;
		for (ProgramHeader ph : loads) {
			if ((ph.flags & PF_X) != 0 && Long.compareUnsigned(entry - ph.vaddr, ph.memSize) < 0) {
				entryExecutable = true;
			}
		}
		if (!entryExecutable && kind != Kind.LIBRARY) {
			throw fail("entry point " + hex(entry) + " is not inside an executable PT_LOAD segment");
		}
	}

	private void checkDynamicSection() {
		if (type != ET_DYN) {
			return;
		}
		boolean hasDynamic = false;
		boolean pie = false;
		for (ProgramHeader ph : programHeaders) {
			if (ph.type == PT_DYNAMIC) {
				hasDynamic = true;
				for (long[] d : dynamicEntries(ph)) {
					if (d[0] == DT_FLAGS_1 && (d[1] & DF_1_PIE) != 0) {
						pie = true;
					}
				}
			}
		}
		// An ET_DYN without PT_DYNAMIC has nothing to relocate: Linux runs it at any base, like a static-PIE.
		if (hasDynamic && !pie && kind == Kind.EXECUTABLE) {
			throw fail("shared library (ET_DYN without DF_1_PIE), not an executable");
		}
		positionIndependent = true;
	}

	private List<long[]> dynamicEntries(ProgramHeader dynamic) {
		List<long[]> entries = new ArrayList<>();
		for (long at = 0; at + 16 <= dynamic.fileSize; at += 16) {
			int p = (int) (dynamic.offset + at);
			long tag = le.getLong(p);
			if (tag == DT_NULL) {
				break;
			}
			entries.add(new long[] { tag, le.getLong(p + 8) });
		}
		return entries;
	}

	/** AT_PHDR: from PT_PHDR, else where the PT_LOAD that holds the program header table puts it in memory. */
	private void findPhdr() {
		long tableSize = (long) phnum * PHDR_SIZE;
		Long vaddr = null;
		for (ProgramHeader ph : programHeaders) {
			if (ph.type == PT_PHDR) {
				vaddr = ph.vaddr;
				break;
			}
		}
		if (vaddr == null) {
			for (ProgramHeader ph : loads) {
				if (Long.compareUnsigned(phoff - ph.offset, ph.fileSize) < 0
						&& phoff - ph.offset + tableSize <= ph.fileSize) {
					vaddr = ph.vaddr + (phoff - ph.offset);
					break;
				}
			}
		}
		if (vaddr == null || !insideLoad(vaddr, tableSize)) {
			throw fail("the program header table (file offset " + hex(phoff)
					+ ") is not inside any PT_LOAD segment, so AT_PHDR cannot point at it");
		}
		phdrVaddr = vaddr;
	}

	private boolean insideLoad(long vaddr, long size) {
		for (ProgramHeader ph : loads) {
			if (Long.compareUnsigned(vaddr - ph.vaddr, ph.memSize) < 0 && vaddr - ph.vaddr + size <= ph.memSize) {
				return true;
			}
		}
		return false;
	}

	private void readSections() {
		shoff = le.getLong(40);
		int shentsize = u16(58);
		int shnum = u16(60);
		int shstrndx = u16(62);
		if (shnum == 0) {
			return;
		}
		if (shentsize != SHDR_SIZE) {
			throw fail("e_shentsize " + shentsize + ", expected " + SHDR_SIZE + " for ELF64 section headers");
		}
		if (!inFile(shoff, (long) shnum * SHDR_SIZE)) {
			for (int i = 0; i < shnum; i++) {
				if (!inFile(shoff, (long) (i + 1) * SHDR_SIZE)) {
					throw fail("truncated: section header " + i + " ends at " + hexSum(shoff, (long) (i + 1) * SHDR_SIZE)
							+ " past the file size " + hex(bytes.length));
				}
			}
		}
		if (shstrndx >= shnum) {
			throw fail("e_shstrndx " + shstrndx + " is not a section (e_shnum " + shnum + ")");
		}
		int[] nameOffsets = new int[shnum];
		long[][] raw = new long[shnum][];
		for (int i = 0; i < shnum; i++) {
			int p = (int) (shoff + (long) i * SHDR_SIZE);
			nameOffsets[i] = le.getInt(p);
			// type, offset, size, link, entsize, addr, flags
			raw[i] = new long[] { le.getInt(p + 4) & 0xffff_ffffL, le.getLong(p + 24), le.getLong(p + 32),
					le.getInt(p + 40) & 0xffff_ffffL, le.getLong(p + 56), le.getLong(p + 16), le.getLong(p + 8) };
			int t = (int) raw[i][0];
			if (t != SHT_NULL && t != SHT_NOBITS && !inFile(raw[i][1], raw[i][2])) {
				throw fail("truncated: section " + i + " ends at " + hexSum(raw[i][1], raw[i][2]) + " past the file size "
						+ hex(bytes.length));
			}
		}
		long[] names = raw[shstrndx];
		// CDT reads the section names, symbols and their strings as they are in the file: compressed (SHF_COMPRESSED),
		// they are not what they say, and CDT's own error for one recursed until the stack overflowed (found by
		// fuzzing). Linkers compress only .debug_* sections; these never are.
		if (shstrndx != 0 && (names[6] & SHF_COMPRESSED) != 0) {
			throw fail("e_shstrndx " + shstrndx + ": the section name table is compressed (SHF_COMPRESSED)");
		}
		// Only a string table was checked to lie in the file above (SHT_NULL and SHT_NOBITS are not): the names are
		// read from it, so anything else is refused here, not read past the end of the file (found by fuzzing).
		if (shstrndx != 0 && names[0] != SHT_STRTAB) {
			throw fail("e_shstrndx " + shstrndx + ": section " + shstrndx + " is not a string table (type "
					+ hex(names[0]) + ")");
		}
		for (int i = 0; i < shnum; i++) {
			String name = "";
			if (shstrndx != 0) {
				if (Integer.toUnsignedLong(nameOffsets[i]) >= names[2]) {
					throw fail("section " + i + ": name offset " + hex(Integer.toUnsignedLong(nameOffsets[i]))
							+ " is outside the section name table (" + hex(names[2]) + " bytes)");
				}
				name = cString((int) (names[1] + nameOffsets[i]), (int) (names[2] - nameOffsets[i]));
			}
			sections.add(new SectionHeader(i, name, (int) raw[i][0], raw[i][1], raw[i][2], (int) raw[i][3], raw[i][4],
					raw[i][5], raw[i][6]));
		}
		for (SectionHeader s : sections) {
			if (s.type == SHT_SYMTAB || s.type == SHT_DYNSYM) {
				checkSymbolSection(s);
			}
		}
	}

	private void checkSymbolSection(SectionHeader s) {
		String what = "section " + s.index + " (" + s.name + ")";
		if ((s.flags & SHF_COMPRESSED) != 0) {
			throw fail(what + ": a symbol table is compressed (SHF_COMPRESSED)");
		}
		if (s.entsize != SYM_SIZE) {
			throw fail(what + ": sh_entsize " + s.entsize + ", expected " + SYM_SIZE + " for ELF64 symbols");
		}
		if (s.link <= 0 || s.link >= sections.size() || sections.get(s.link).type != SHT_STRTAB) {
			throw fail(what + ": sh_link " + s.link + " is not a string table");
		}
		SectionHeader strings = sections.get(s.link);
		if ((strings.flags & SHF_COMPRESSED) != 0) {
			throw fail(what + ": its string table, section " + strings.index + ", is compressed (SHF_COMPRESSED)");
		}
		for (long i = 0; i < s.size / SYM_SIZE; i++) {
			long name = le.getInt((int) (s.offset + i * SYM_SIZE)) & 0xffff_ffffL;
			if (name >= strings.size && name != 0) {
				throw fail(what + ": symbol " + i + " has name offset " + hex(name) + " outside its string table ("
						+ hex(strings.size) + " bytes)");
			}
		}
	}

	private Optional<String> findBuildId() {
		for (ProgramHeader ph : programHeaders) {
			if (ph.type != PT_NOTE) {
				continue;
			}
			long at = ph.offset;
			long end = ph.offset + ph.fileSize;
			while (at + 12 <= end) {
				long nameSize = le.getInt((int) at) & 0xffff_ffffL;
				long descSize = le.getInt((int) at + 4) & 0xffff_ffffL;
				int noteType = le.getInt((int) at + 8);
				long name = at + 12;
				long desc = name + align4(nameSize);
				long next = desc + align4(descSize);
				if (next > end) {
					break;
				}
				if (noteType == NT_GNU_BUILD_ID && nameSize == 4 && cString((int) name, 4).equals("GNU")) {
					return Optional.of(HexFormat.of().formatHex(bytes, (int) desc, (int) (desc + descSize)));
				}
				at = next;
			}
		}
		return Optional.empty();
	}

	private static long align4(long n) {
		return (n + 3) & ~3L;
	}

	private int u16(int at) {
		return le.getShort(at) & 0xffff;
	}

	/** True when [offset, offset+size) lies in the file, both read as unsigned 64-bit values. */
	private boolean inFile(long offset, long size) {
		long length = bytes.length;
		return Long.compareUnsigned(offset, length) <= 0 && Long.compareUnsigned(size, length - offset) <= 0;
	}

	private String cString(int at, int max) {
		int end = at;
		while (end < at + max && end < bytes.length && bytes[end] != 0) {
			end++;
		}
		return new String(bytes, at, end - at, StandardCharsets.UTF_8);
	}

	static String hex(long value) {
		return "0x" + Long.toHexString(value);
	}

	private static String hexSum(long a, long b) {
		BigInteger sum = new BigInteger(Long.toUnsignedString(a)).add(new BigInteger(Long.toUnsignedString(b)));
		return "0x" + sum.toString(16);
	}

	static String typeName(int type) {
		return switch (type) {
		case PT_LOAD -> "PT_LOAD";
		case PT_DYNAMIC -> "PT_DYNAMIC";
		case PT_INTERP -> "PT_INTERP";
		case PT_NOTE -> "PT_NOTE";
		default -> "type 0x" + Integer.toHexString(type);
		};
	}

	static String machineName(int machine) {
		return switch (machine) {
		case 0 -> "no machine";
		case 2 -> "SPARC";
		case 3 -> "x86 (i386)";
		case 8 -> "MIPS";
		case 20 -> "PowerPC";
		case 21 -> "PowerPC64";
		case 22 -> "IBM S/390";
		case 40 -> "ARM";
		case 43 -> "SPARC V9";
		case 50 -> "IA-64";
		case 183 -> "AArch64";
		case 243 -> "RISC-V";
		case 258 -> "LoongArch";
		default -> "unknown machine";
		};
	}
}
