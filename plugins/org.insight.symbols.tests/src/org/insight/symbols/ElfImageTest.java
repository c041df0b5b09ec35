package org.insight.symbols;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Well-formed executables: every value is compared with what binutils reports for the same file. */
class ElfImageTest {
	@TempDir
	static Path dir;
	static Path glibcStatic;
	static Path glibcStaticPie;
	static Path muslStatic;

	@BeforeAll
	static void compile() throws Exception {
		glibcStatic = NativeTools.compile(dir, "gcc", "hello-static", NativeTools.HELLO, "-static");
		glibcStaticPie = NativeTools.compile(dir, "gcc", "hello-static-pie", NativeTools.HELLO, "-static-pie");
		muslStatic = NativeTools.compile(dir, "musl-gcc", "hello-musl", NativeTools.HELLO, "-static");
	}

	@Test
	void glibcStaticMatchesReadelf() throws Exception {
		ElfImage image = ElfImage.read(glibcStatic);
		assertEquals(NativeTools.readelfEntry(glibcStatic), image.entry());
		assertFalse(image.isPositionIndependent());
		assertEquals(NativeTools.readelfLoads(glibcStatic), image.loadSegments());
		assertEquals(glibcStatic, image.file());
		assertEquals(56, image.phentsize());
		assertEquals(Files.size(glibcStatic), image.size());
		// no PT_PHDR in a static executable: the table sits at e_phoff (64) in the first PT_LOAD
		LoadSegment first = image.loadSegments().get(0);
		assertEquals(0, first.fileOffset());
		assertEquals(first.vaddr() + 64, image.phdrVaddr());
	}

	@Test
	void phnumBuildIdAndDigestMatchTheFile() throws Exception {
		ElfImage image = ElfImage.read(glibcStatic);
		String phnum = NativeTools.run("readelf", "-hW", glibcStatic.toString())
				.replaceAll("(?s).*Number of program headers:\\s+(\\d+).*", "$1");
		assertEquals(Integer.parseInt(phnum.trim()), image.phnum());
		assertEquals(NativeTools.readelfBuildId(glibcStatic), image.buildId().orElseThrow());
		byte[] bytes = Files.readAllBytes(glibcStatic);
		assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), image.sha256());
		assertArrayEquals(bytes, image.bytes());
		byte[] part = new byte[16];
		image.copyBytes(64, part, 0, 16);
		assertArrayEquals(java.util.Arrays.copyOfRange(bytes, 64, 80), part);
	}

	@Test
	void mainIsFoundAndDescribed() throws Exception {
		ElfImage image = ElfImage.read(glibcStatic);
		long main = NativeTools.nmAddress(glibcStatic, "main");
		Symbol symbol = image.symbols().byName("main").orElseThrow();
		assertEquals(main, symbol.address());
		assertTrue(symbol.function());
		assertTrue(symbol.size() > 5, "main has a size: " + symbol);
		assertEquals("main+0x5", image.symbols().describe(main + 5));
		assertEquals("main", image.symbols().describe(main));
		assertEquals(symbol, image.symbols().lookup(main + symbol.size() - 1).orElseThrow());
		assertEquals("0x10", image.symbols().describe(0x10));
	}

	@Test
	void dataObjectsHaveTheirSize() throws Exception {
		ElfImage image = ElfImage.read(glibcStatic);
		Symbol counter = image.symbols().byName("counter").orElseThrow();
		assertEquals(NativeTools.nmAddress(glibcStatic, "counter"), counter.address());
		assertEquals(4, counter.size());
		assertFalse(counter.function());
		Symbol table = image.symbols().byName("table").orElseThrow();
		assertEquals(16 * 8, table.size());
		assertEquals("table+0x10", image.symbols().describe(table.address() + 16));
	}

	@Test
	void staticPieIsPositionIndependentAndRebases() throws Exception {
		ElfImage image = ElfImage.read(glibcStaticPie);
		assertTrue(image.isPositionIndependent());
		assertEquals(NativeTools.readelfEntry(glibcStaticPie), image.entry());
		assertEquals(NativeTools.readelfLoads(glibcStaticPie), image.loadSegments());
		assertEquals(0, image.loadSegments().get(0).vaddr(), "a static-PIE is linked at 0");
		long main = NativeTools.nmAddress(glibcStaticPie, "main");
		assertEquals(main, image.symbols().byName("main").orElseThrow().address());
		long bias = 0x5555_5555_4000L;
		SymbolTable moved = image.symbols().withBias(bias);
		assertEquals("main+0x5", moved.describe(bias + main + 5));
		assertEquals(bias + main, moved.byName("main").orElseThrow().address());
		assertEquals(image.symbols().size(), moved.size());
	}

	@Test
	void muslStaticMatchesReadelf() throws Exception {
		ElfImage image = ElfImage.read(muslStatic);
		assertEquals(NativeTools.readelfEntry(muslStatic), image.entry());
		assertEquals(NativeTools.readelfLoads(muslStatic), image.loadSegments());
		assertFalse(image.isPositionIndependent());
		long main = NativeTools.nmAddress(muslStatic, "main");
		assertEquals("main+0x5", image.symbols().describe(main + 5));
	}

	@Test
	void strippedExecutableHasNoSymbolsButLoads() throws Exception {
		Path stripped = dir.resolve("hello-stripped");
		NativeTools.run("strip", "-o", stripped.toString(), glibcStatic.toString());
		ElfImage image = ElfImage.read(stripped);
		assertEquals(0, image.symbols().size());
		assertEquals(NativeTools.readelfEntry(glibcStatic), image.entry());
		assertEquals("0x401000", image.symbols().describe(0x401000));
		assertEquals(ElfImage.read(glibcStatic).buildId(), image.buildId());
	}

	@Test
	void missingFileIsAnIoErrorNamingTheFile() {
		Path missing = dir.resolve("no-such-program");
		UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> ElfImage.read(missing));
		assertTrue(e.getMessage().startsWith("cannot read ELF file " + missing + ": "), e.getMessage());
	}

	@Test
	void builtGuestsAllRead() throws Exception {
		Path guests = NativeTools.guests();
		org.junit.jupiter.api.Assumptions.assumeTrue(guests != null,
				"build/guests not built (make -C samples / guest-tests): covered by the compiled programs above");
		List<Path> files;
		try (var walk = Files.walk(guests)) {
			files = walk.filter(Files::isRegularFile).filter(Files::isExecutable).toList();
		}
		assertTrue(files.size() > 10, "guests found in " + guests + ": " + files.size());
		for (Path f : files) {
			ElfImage image = ElfImage.read(f);
			// glibc-dynamic/ and musl-dynamic/: dynamically linked (the Helgrind peer of bench --analysis, and the
			// loader's tests)
			assertEquals(f.getParent().getFileName().toString().endsWith("-dynamic"), image.dynamic().isDynamic(),
					f.toString());
			assertEquals(NativeTools.readelfEntry(f), image.entry(), f.toString());
			assertTrue(image.symbols().byName("main").isPresent(), f + " has main");
		}
	}
}
