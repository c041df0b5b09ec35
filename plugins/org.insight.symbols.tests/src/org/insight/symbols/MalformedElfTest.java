package org.insight.symbols;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files InSight must refuse, each with the exact reason. Most are a real static executable with a few bytes changed,
 * so every other field stays plausible and only the one defect can be the cause.
 */
class MalformedElfTest {
	private static final int PHOFF = 64;
	private static final int PHDR = 56;

	@TempDir
	static Path dir;
	static Path glibcStatic;
	static byte[] original;
	static Path muslStatic;

	@BeforeAll
	static void compile() throws Exception {
		glibcStatic = NativeTools.compile(dir, "gcc", "victim", NativeTools.HELLO, "-static");
		original = Files.readAllBytes(glibcStatic);
		muslStatic = NativeTools.compile(dir, "musl-gcc", "small-victim", NativeTools.HELLO, "-static");
		// the edits below assume gcc's usual layout: program headers at 64, the four PT_LOADs first
		ByteBuffer b = le(original);
		assertEquals(PHOFF, b.getLong(32));
		for (int i = 0; i < 4; i++) {
			assertEquals(1, b.getInt(PHOFF + i * PHDR), "program header " + i + " is PT_LOAD");
		}
	}

	private static ByteBuffer le(byte[] bytes) {
		return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
	}

	private static long phdrField(int index, int field) {
		return le(original).getLong(PHOFF + index * PHDR + field);
	}

	private static final int P_OFFSET = 8, P_VADDR = 16, P_FILESZ = 32, P_MEMSZ = 40;

	/** Writes a copy of the executable with {@code edit} applied and returns the reason it is refused. */
	private static String refusal(String name, Consumer<ByteBuffer> edit) throws IOException {
		byte[] copy = original.clone();
		edit.accept(le(copy));
		return refusal(name, copy);
	}

	private static String refusal(String name, byte[] bytes) throws IOException {
		Path f = dir.resolve(name);
		Files.write(f, bytes);
		ElfFormatException e = assertThrows(ElfFormatException.class, () -> ElfImage.read(f));
		assertEquals(f, e.file());
		assertEquals(f + ": " + e.reason(), e.getMessage());
		return e.reason();
	}

	private static String hex(long v) {
		return "0x" + Long.toHexString(v);
	}

	@Test
	void notElfAtAll() throws IOException {
		assertEquals("not an ELF file (bad magic)", refusal("text", "#!/bin/sh\necho hi\n".getBytes()));
		assertEquals("not an ELF file (bad magic)", refusal("empty", new byte[0]));
		assertEquals("not an ELF file (bad magic)", refusal("three", Arrays.copyOf(original, 3)));
	}

	@Test
	void tooLargeToRead() throws IOException {
		Path sparse = dir.resolve("sparse");
		try (var channel = java.nio.channels.FileChannel.open(sparse, java.nio.file.StandardOpenOption.CREATE_NEW,
				java.nio.file.StandardOpenOption.WRITE)) {
			channel.write(java.nio.ByteBuffer.wrap(original, 0, 64), (1L << 30) + 1); // a hole, then 64 bytes
		}
		ElfFormatException e = assertThrows(ElfFormatException.class, () -> ElfImage.read(sparse));
		assertEquals("file of 0x40000041 bytes is larger than InSight reads (0x40000000)", e.reason());
	}

	@Test
	void truncatedHeader() throws IOException {
		assertEquals("truncated: the ELF identification needs 0x10 bytes, the file has 0xa",
				refusal("ident", Arrays.copyOf(original, 10)));
		assertEquals("truncated: the ELF header needs 0x40 bytes, the file has 0x28",
				refusal("header", Arrays.copyOf(original, 40)));
	}

	@Test
	void wrongClassEncodingOrMachine() throws IOException {
		assertEquals("32-bit ELF (ELFCLASS32): InSight runs x86-64 (ELFCLASS64) executables only",
				refusal("class32", b -> b.put(4, (byte) 1)));
		assertEquals("invalid ELF class 7 (EI_CLASS)", refusal("class7", b -> b.put(4, (byte) 7)));
		assertEquals("big-endian ELF (ELFDATA2MSB): x86-64 executables are little-endian",
				refusal("msb", b -> b.put(5, (byte) 2)));
		assertEquals("not x86-64 (e_machine 183, AArch64)", refusal("aarch64", b -> b.putShort(18, (short) 183)));
		assertEquals("not x86-64 (e_machine 3, x86 (i386))", refusal("i386", b -> b.putShort(18, (short) 3)));
		assertEquals("not x86-64 (e_machine 4660, unknown machine)",
				refusal("m4660", b -> b.putShort(18, (short) 4660)));
	}

	@Test
	void notAnExecutable() throws Exception {
		assertEquals("relocatable object file (ET_REL), not an executable: link it into a static executable",
				refusal("rel", b -> b.putShort(16, (short) 1)));
		assertEquals("core dump (ET_CORE), not an executable", refusal("core", b -> b.putShort(16, (short) 4)));
		assertEquals("unknown ELF type (e_type 0xfe00), not an executable",
				refusal("os-type", b -> b.putShort(16, (short) 0xfe00)));
		Path object = dir.resolve("object.o");
		Files.writeString(dir.resolve("object.c"), "int f(void) { return 1; }\n");
		NativeTools.run("gcc", "-c", "-o", object.toString(), dir.resolve("object.c").toString());
		ElfFormatException e = assertThrows(ElfFormatException.class, () -> ElfImage.read(object));
		assertEquals(object + ": relocatable object file (ET_REL), not an executable: link it into a static executable",
				e.getMessage());
	}

	@Test
	void dynamicallyLinkedProgramsNameTheirInterpreterAndLibraries() throws Exception {
		for (String flag : new String[] { "-pie", "-no-pie" }) {
			Path dynamic = NativeTools.compile(dir, "gcc", "dynamic" + flag, NativeTools.HELLO, flag,
					"-Wl,-rpath,/opt/x:$ORIGIN/lib", "-Wl,--enable-new-dtags");
			DynamicInfo d = ElfImage.read(dynamic).dynamic();
			assertEquals(java.util.Optional.of("/lib64/ld-linux-x86-64.so.2"), d.interpreter(), flag);
			assertTrue(d.needed().contains("libc.so.6"), d.needed() + " " + flag);
			assertEquals(java.util.List.of("/opt/x:$ORIGIN/lib"), d.runpath(), flag);
			assertEquals(flag.equals("-pie"), ElfImage.read(dynamic).isPositionIndependent(), flag);
		}
		Path stat = NativeTools.compile(dir, "gcc", "static", NativeTools.HELLO, "-static");
		assertEquals(DynamicInfo.NONE, ElfImage.read(stat).dynamic());
	}

	/** A hostile dynamic section: a string table outside the file bytes, a name outside the string table. */
	@Test
	void badDynamicStringsAreRefused() throws Exception {
		byte[] dynamic = Files.readAllBytes(NativeTools.compile(dir, "gcc", "dynamic-bad", NativeTools.HELLO, "-pie"));
		ByteBuffer b = le(dynamic);
		int phnum = b.getShort(56) & 0xffff;
		long at = -1;
		long size = 0;
		for (int i = 0; i < phnum; i++) {
			int p = PHOFF + i * PHDR;
			if (b.getInt(p) == 2) { // PT_DYNAMIC
				at = b.getLong(p + 8);
				size = b.getLong(p + 32);
			}
		}
		int strtab = -1;
		int needed = -1;
		for (int e = (int) at; e + 16 <= at + size; e += 16) {
			long tag = b.getLong(e);
			if (tag == 5) {
				strtab = e;
			} else if (tag == 1 && needed < 0) {
				needed = e;
			}
		}
		byte[] badTable = dynamic.clone();
		le(badTable).putLong(strtab + 8, 0x7000_0000_0000L);
		assertTrue(refusal("bad-strtab", badTable).startsWith("DT_STRTAB 0x700000000000"), "DT_STRTAB");
		byte[] badName = dynamic.clone();
		le(badName).putLong(needed + 8, 0xffff_ffffL);
		assertTrue(refusal("bad-needed", badName).startsWith("a DT_NEEDED/DT_RUNPATH/DT_RPATH name at 0xffffffff is "
				+ "outside the string table"), "DT_NEEDED");
	}

	@Test
	void theLibrariesOfLibcAreRead() {
		DynamicInfo libc = ElfImage.libraryDynamicInfo(Path.of("/lib/x86_64-linux-gnu/libc.so.6"));
		assertEquals(java.util.List.of("ld-linux-x86-64.so.2"), libc.needed());
		ElfImage ld = ElfImage.interpreter(Path.of("/lib64/ld-linux-x86-64.so.2"),
				assertDoesNotThrow(() -> Files.readAllBytes(Path.of("/lib64/ld-linux-x86-64.so.2"))));
		assertTrue(ld.isPositionIndependent());
		assertFalse(ld.dynamic().isDynamic(), "ld.so has no interpreter");
		// a shared library is not an interpreter the loader can start nor an executable
		assertThrows(ElfFormatException.class, () -> ElfImage.read(Path.of("/lib/x86_64-linux-gnu/libm.so.6")));
	}

	@Test
	void sharedLibrariesAreRefused() throws Exception {
		Path withLibc = NativeTools.compile(dir, "gcc", "libwith.so",
				"#include <stdio.h>\nint f(void) { return puts(\"x\"); }\n", "-shared", "-fPIC");
		assertEquals(withLibc + ": needs shared libraries (DT_NEEDED) but has no PT_INTERP: InSight runs static "
				+ "executables and dynamically linked ones with an interpreter; link with -static",
				assertThrows(ElfFormatException.class, () -> ElfImage.read(withLibc)).getMessage());
		Path bare = NativeTools.compile(dir, "gcc", "libbare.so", "int f(void) { return 1; }\n", "-shared", "-fPIC",
				"-nostdlib");
		assertEquals(bare + ": shared library (ET_DYN without DF_1_PIE), not an executable",
				assertThrows(ElfFormatException.class, () -> ElfImage.read(bare)).getMessage());
	}

	@Test
	void programHeaderTable() throws IOException {
		int cut = PHOFF + 3 * PHDR + 10;
		assertEquals("truncated: program header 3 ends at " + hex(PHOFF + 4 * PHDR) + " past the file size " + hex(cut),
				refusal("phdrs", Arrays.copyOf(original, cut)));
		assertEquals("e_phentsize 32, expected 56 for ELF64 program headers",
				refusal("phentsize", b -> b.putShort(54, (short) 32)));
		assertEquals("no program headers (e_phnum 0): nothing to load", refusal("phnum0", b -> b.putShort(56, (short) 0)));
		assertEquals("e_phnum 0xffff (PN_XNUM): extended program header numbering is not supported",
				refusal("pnxnum", b -> b.putShort(56, (short) 0xffff)));
		assertEquals("truncated: program header 0 ends at 0x10000000000000037 past the file size " + hex(original.length),
				refusal("phoff", b -> b.putLong(32, -1L)));
		assertEquals("e_phnum 1171: a program header table of 65576 bytes, more than Linux loads (65536)",
				refusal("phnum-huge", b -> b.putShort(56, (short) 1171)));
	}

	@Test
	void segmentPastTheEndOfTheFile() throws IOException {
		int cut = 0x2000;
		long end = phdrField(1, P_OFFSET) + phdrField(1, P_FILESZ);
		assertEquals("truncated: the PT_LOAD segment of program header 1 ends at " + hex(end) + " past the file size "
				+ hex(cut), refusal("segment", Arrays.copyOf(original, cut)));
	}

	@Test
	void fileSizeLargerThanMemorySize() throws IOException {
		long fileSize = phdrField(3, P_FILESZ);
		assertEquals("PT_LOAD segment (program header 3): p_filesz " + hex(fileSize) + " is larger than p_memsz "
				+ hex(fileSize - 1), refusal("filesz", b -> b.putLong(PHOFF + 3 * PHDR + P_MEMSZ, fileSize - 1)));
	}

	@Test
	void overlappingOrUnorderedSegments() throws IOException {
		long text = phdrField(1, P_VADDR);
		long textEnd = text + phdrField(1, P_MEMSZ);
		long rodataOffset = phdrField(2, P_OFFSET);
		long overlapping = text + (rodataOffset & 0xfff);
		assertEquals("PT_LOAD segments overlap or are out of order: program header 2 starts at " + hex(overlapping)
				+ " before program header 1 ends at " + hex(textEnd),
				refusal("overlap", b -> b.putLong(PHOFF + 2 * PHDR + P_VADDR, overlapping)));
	}

	@Test
	void absurdAddresses() throws IOException {
		long data = phdrField(3, P_VADDR);
		long kernel = 0xffff_8000_0000_0000L | data;
		assertEquals("PT_LOAD segment (program header 3): address " + hex(kernel)
				+ " is not a user address (non-canonical or kernel half)",
				refusal("kernel-half", b -> b.putLong(PHOFF + 3 * PHDR + P_VADDR, kernel)));
		long nonCanonical = 0x0000_8000_0000_0000L | data;
		assertEquals("PT_LOAD segment (program header 3): address " + hex(nonCanonical)
				+ " is not a user address (non-canonical or kernel half)",
				refusal("non-canonical", b -> b.putLong(PHOFF + 3 * PHDR + P_VADDR, nonCanonical)));
		long huge = 0x7fff_ffff_0000L;
		assertEquals("PT_LOAD segment (program header 3) at " + hex(data) + " ends at " + hex(data + huge)
				+ " above the highest user address 0x7ffffffff000",
				refusal("huge", b -> b.putLong(PHOFF + 3 * PHDR + P_MEMSZ, huge)));
		assertEquals("PT_LOAD segment (program header 3) at " + hex(data) + " ends at " + String.format("0x1%016x", data - 1)
				+ " above the highest user address 0x7ffffffff000",
				refusal("wrapping", b -> b.putLong(PHOFF + 3 * PHDR + P_MEMSZ, -1L)));
	}

	@Test
	void misalignedSegment() throws IOException {
		long vaddr = phdrField(1, P_VADDR) + 8;
		assertEquals("PT_LOAD segment (program header 1): p_offset " + hex(phdrField(1, P_OFFSET)) + " and p_vaddr "
				+ hex(vaddr) + " differ modulo the page size 0x1000",
				refusal("misaligned", b -> b.putLong(PHOFF + PHDR + P_VADDR, vaddr)));
	}

	@Test
	void nothingToLoadOrNowhereToStart() throws IOException {
		assertEquals("no PT_LOAD segment: nothing to load", refusal("no-load", b -> {
			for (int i = 0; i < 4; i++) {
				b.putInt(PHOFF + i * PHDR, 0);
			}
		}));
		assertEquals("entry point 0x10 is not inside an executable PT_LOAD segment",
				refusal("entry", b -> b.putLong(24, 0x10)));
		long rodata = phdrField(2, P_VADDR);
		assertEquals("entry point " + hex(rodata) + " is not inside an executable PT_LOAD segment",
				refusal("entry-rodata", b -> b.putLong(24, rodata)));
	}

	@Test
	void programHeadersOutsideEveryLoadSegment() throws IOException {
		// move the table to the end of the file, where no PT_LOAD reaches
		byte[] moved = Arrays.copyOf(original, original.length + 16 * PHDR);
		int phnum = le(original).getShort(56);
		System.arraycopy(original, PHOFF, moved, original.length, phnum * PHDR);
		le(moved).putLong(32, original.length);
		assertEquals("the program header table (file offset " + hex(original.length)
				+ ") is not inside any PT_LOAD segment, so AT_PHDR cannot point at it", refusal("phdr-moved", moved));
	}

	@Test
	void sectionHeaders() throws IOException {
		long shoff = le(original).getLong(40);
		int shnum = le(original).getShort(60);
		int cut = (int) shoff + 64 * 3 + 5;
		assertEquals("truncated: section header 3 ends at " + hex(shoff + 64 * 4) + " past the file size " + hex(cut),
				refusal("shdrs", Arrays.copyOf(original, cut)));
		assertEquals("e_shentsize 40, expected 64 for ELF64 section headers",
				refusal("shentsize", b -> b.putShort(58, (short) 40)));
		assertEquals("e_shstrndx " + shnum + " is not a section (e_shnum " + shnum + ")",
				refusal("shstrndx", b -> b.putShort(62, (short) shnum)));
		// found by fuzzing: a name table of type SHT_NOBITS (not checked to lie in the file) read past its end
		int shstrndx = le(original).getShort(62);
		long namesHeader = shoff + 64L * shstrndx;
		assertEquals("e_shstrndx " + shstrndx + ": section " + shstrndx + " is not a string table (type 0x8)",
				refusal("shstrtab-nobits", b -> b.putInt((int) namesHeader + 4, 8).putLong((int) namesHeader + 24,
						0x6000_0000L)));
		int symtab = sectionIndex(2);
		long symtabHeader = shoff + 64L * symtab;
		int strtab = le(original).getInt((int) symtabHeader + 40);
		long strtabSize = le(original).getLong((int) (shoff + 64L * strtab + 32));
		long symbols = le(original).getLong((int) symtabHeader + 24);
		assertEquals("section " + symtab + " (.symtab): symbol 5 has name offset 0xffffff00 outside its string table ("
				+ hex(strtabSize) + " bytes)", refusal("st_name", b -> b.putInt((int) symbols + 5 * 24, 0xffffff00)));
		assertEquals("section " + symtab + " (.symtab): sh_link 0 is not a string table",
				refusal("sh_link", b -> b.putInt((int) symtabHeader + 40, 0)));
		assertEquals("section " + symtab + " (.symtab): sh_entsize 16, expected 24 for ELF64 symbols",
				refusal("sh_entsize", b -> b.putLong((int) symtabHeader + 56, 16)));
		assertEquals("truncated: section " + symtab + " ends at 0x10000000000000000 past the file size "
				+ hex(original.length), refusal("sh_offset", b -> b.putLong((int) symtabHeader + 24, -le(original)
						.getLong((int) symtabHeader + 32))));
		// found by fuzzing: CDT's error for a compressed section recursed until the stack overflowed
		assertEquals("e_shstrndx " + shstrndx + ": the section name table is compressed (SHF_COMPRESSED)",
				refusal("shstrtab-compressed", b -> b.putLong((int) namesHeader + 8, 0x800)));
		assertEquals("section " + symtab + " (.symtab): a symbol table is compressed (SHF_COMPRESSED)",
				refusal("symtab-compressed", b -> b.putLong((int) symtabHeader + 8, 0x800)));
		long strtabHeader = shoff + 64L * strtab;
		assertEquals("section " + symtab + " (.symtab): its string table, section " + strtab
				+ ", is compressed (SHF_COMPRESSED)", refusal("strtab-compressed", b -> b.putLong((int) strtabHeader + 8,
						0x800)));
	}

	private static int sectionIndex(int type) {
		ByteBuffer b = le(original);
		long shoff = b.getLong(40);
		for (int i = 0; i < b.getShort(60); i++) {
			if (b.getInt((int) (shoff + 64L * i + 4)) == type) {
				return i;
			}
		}
		return fail("no section of type " + type);
	}

	/** Every prefix of a real executable is either readable or refused as an ElfFormatException, nothing else. */
	@Test
	void everyTruncationIsRefusedCleanly() throws IOException {
		byte[] small = Files.readAllBytes(muslStatic);
		Path f = dir.resolve("truncation");
		for (int length = 0; length < small.length; length += length < 512 ? 1 : 97) {
			Files.write(f, Arrays.copyOf(small, length));
			int l = length;
			ElfFormatException e = assertThrows(ElfFormatException.class, () -> ElfImage.read(f), () -> "length " + l);
			if (!e.reason().startsWith("truncated: ") && !e.reason().equals("not an ELF file (bad magic)")) {
				fail("length " + length + ": " + e.getMessage());
			}
		}
	}

	/** Random byte damage in the headers: the reader returns an image or an ElfFormatException, never anything else. */
	@Test
	void randomDamageNeverEscapesAsAnotherException() throws IOException {
		byte[] small = Files.readAllBytes(muslStatic);
		ByteBuffer clean = le(small);
		int shoff = (int) clean.getLong(40);
		int shEnd = shoff + 64 * clean.getShort(60);
		Random random = new Random(20261125);
		Path f = dir.resolve("damaged");
		int refused = 0;
		for (int round = 0; round < 400; round++) {
			byte[] damaged = small.clone();
			int flips = 1 + random.nextInt(6);
			for (int k = 0; k < flips; k++) {
				// mostly the ELF and program headers, sometimes the section headers
				int at = random.nextInt(4) == 0 ? shoff + random.nextInt(shEnd - shoff) : random.nextInt(PHOFF + 6 * PHDR);
				damaged[at] = (byte) random.nextInt(256);
			}
			Files.write(f, damaged);
			try {
				ElfImage.read(f, SymbolCache.off()).symbols().size();
			} catch (ElfFormatException e) {
				refused++;
			} catch (RuntimeException | Error e) {
				throw new AssertionError("round " + round + ": " + e, e);
			}
		}
		if (refused < 50) {
			fail("only " + refused + " of 400 damaged files were refused: the damage did not reach the headers");
		}
	}

	/**
	 * Random damage in the symbol and string tables, which are read lazily: reading the file and then its symbols
	 * gives an image and a table, or an ElfFormatException, nothing else; and a second read, through the cache the
	 * first one filled, gives the same.
	 */
	@Test
	void randomDamageToTheSymbolTablesNeverEscapesAsAnotherException() throws IOException {
		byte[] small = Files.readAllBytes(muslStatic);
		RawElf raw = RawElf.parse(muslStatic, small);
		List<RawElf.SectionHeader> tables = raw.sections.stream().filter(s -> s.type() == RawElf.SHT_SYMTAB
				|| s.type() == RawElf.SHT_STRTAB && s.index() != le(small).getShort(62)).toList();
		assertEquals(2, tables.size(), "musl's .symtab and .strtab");
		Random random = new Random(20261205);
		Path f = dir.resolve("damaged-symbols");
		Path cache = dir.resolve("damaged-symbols-cache");
		int refused = 0;
		for (int round = 0; round < 300; round++) {
			byte[] damaged = small.clone();
			for (int k = 0; k <= random.nextInt(8); k++) {
				RawElf.SectionHeader s = tables.get(random.nextInt(tables.size()));
				damaged[(int) (s.offset() + random.nextInt((int) s.size()))] = (byte) random.nextInt(256);
			}
			Files.write(f, damaged);
			String first = null;
			for (int pass = 0; pass < 2; pass++) {
				String outcome;
				try {
					outcome = ElfImage.read(f, SymbolCache.in(cache)).symbols().all().toString();
				} catch (ElfFormatException e) {
					outcome = "refused: " + e.reason();
				} catch (RuntimeException | Error e) {
					throw new AssertionError("round " + round + " pass " + pass + ": " + e, e);
				}
				if (pass == 0) {
					first = outcome;
					refused += outcome.startsWith("refused: ") ? 1 : 0;
				} else {
					assertEquals(first, outcome, "round " + round + ": the cached symbols are the parsed ones");
				}
			}
		}
		if (refused < 10) {
			fail("only " + refused + " of 300 files with damaged symbol tables were refused");
		}
	}
}
