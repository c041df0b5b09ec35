package org.insight.symbols;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lazy symbol table of an {@link ElfImage} and the {@link SymbolCache} behind it: what is cached is exactly what
 * CDT read, a damaged, stale or unwritable cache only costs a parse, and the symbols are those of the validated bytes.
 */
class SymbolCacheTest {
	@TempDir
	static Path dir;
	static Path glibcStatic;
	static List<Symbol> parsed;

	@BeforeAll
	static void compile() throws Exception {
		glibcStatic = NativeTools.compile(dir, "gcc", "cache-victim", NativeTools.HELLO, "-static");
		parsed = ElfImage.read(glibcStatic, SymbolCache.off()).symbols().all();
		assertTrue(parsed.size() > 500, "a static glibc program has many symbols: " + parsed.size());
	}

	private static Path freshCache(String name) throws IOException {
		return Files.createDirectories(dir.resolve("caches").resolve(name));
	}

	private static Path onlyEntry(Path cache) throws IOException {
		try (var s = Files.list(cache)) {
			List<Path> entries = s.filter(p -> p.toString().endsWith(".symbols")).toList();
			assertEquals(1, entries.size(), "entries in " + cache + ": " + entries);
			return entries.get(0);
		}
	}

	@Test
	void readingLoadsNoSymbolsUntilTheFirstQuery() throws Exception {
		Path cache = freshCache("lazy");
		ElfImage image = ElfImage.read(glibcStatic, SymbolCache.in(cache));
		assertFalse(image.symbols().isLoaded());
		SymbolTable moved = image.symbols().withBias(0x1000);
		assertFalse(image.symbols().isLoaded(), "withBias reads nothing");
		try (var s = Files.list(cache)) {
			assertEquals(0, s.count(), "nothing cached before a query");
		}
		assertEquals(parsed.size(), moved.size());
		assertTrue(image.symbols().isLoaded());
		assertEquals(parsed, image.symbols().all());
	}

	@Test
	void theCacheGivesBackExactlyWhatCdtRead() throws Exception {
		Path cache = freshCache("roundtrip");
		assertEquals(parsed, ElfImage.read(glibcStatic, SymbolCache.in(cache)).symbols().all());
		Path entry = onlyEntry(cache);
		String buildId = NativeTools.readelfBuildId(glibcStatic);
		assertTrue(entry.getFileName().toString().startsWith(buildId + "-"), entry.toString());
		assertEquals(parsed, ElfImage.read(glibcStatic, SymbolCache.in(cache)).symbols().all());
	}

	@Test
	void aValidEntryIsUsedWithoutParsing() throws Exception {
		Path cache = freshCache("used");
		ElfImage.read(glibcStatic, SymbolCache.in(cache)).symbols().size();
		Path entry = onlyEntry(cache);
		// the same key, other contents: what the table then shows can only have come from the cache
		byte[] key = Arrays.copyOfRange(Files.readAllBytes(entry), SymbolCacheEntry.MAGIC.length + 4,
				SymbolCacheEntry.MAGIC.length + 4 + 32);
		Files.write(entry, SymbolCacheEntry.encode(key, List.of(new Symbol("from_the_cache", 0x401000, 0x10, true))));
		SymbolTable t = ElfImage.read(glibcStatic, SymbolCache.in(cache)).symbols();
		assertEquals("from_the_cache+0x4", t.describe(0x401004));
		assertEquals(1, t.size());
	}

	/** Each damage to the entry makes it a miss: the symbols are parsed again and a good entry replaces it. */
	@Test
	void aDamagedEntryFallsBackToParsingAndIsReplaced() throws Exception {
		Path cache = freshCache("damaged");
		ElfImage.read(glibcStatic, SymbolCache.in(cache)).symbols().size();
		Path entry = onlyEntry(cache);
		byte[] good = Files.readAllBytes(entry);
		List<UnaryOperator<byte[]>> damages = new ArrayList<>();
		damages.add(b -> new byte[0]);
		damages.add(b -> Arrays.copyOf(b, 10));
		damages.add(b -> Arrays.copyOf(b, b.length / 2));
		damages.add(b -> Arrays.copyOf(b, b.length - 1));
		damages.add(b -> Arrays.copyOf(b, b.length + 7));
		damages.add(b -> "not a cache entry at all\n".repeat(100).getBytes(StandardCharsets.US_ASCII));
		for (int at : new int[] { 0, SymbolCacheEntry.MAGIC.length, SymbolCacheEntry.MAGIC.length + 4 + 5, good.length / 3,
				good.length - 2 }) {
			damages.add(b -> flip(b, at));
		}
		// a coherent entry (right CRC) for another version, and one with an absurd count
		damages.add(b -> recrc(put(b, SymbolCacheEntry.MAGIC.length, bb -> bb.putInt(SymbolCacheEntry.VERSION + 1))));
		damages.add(b -> recrc(put(b, SymbolCacheEntry.MAGIC.length + 4 + 32, bb -> bb.putInt(Integer.MAX_VALUE))));
		damages.add(b -> recrc(put(b, SymbolCacheEntry.MAGIC.length + 4 + 32 + 4 + 17, bb -> bb.putShort((short) -1))));
		for (int i = 0; i < damages.size(); i++) {
			Files.write(entry, damages.get(i).apply(good.clone()));
			SymbolTable t = ElfImage.read(glibcStatic, SymbolCache.in(cache)).symbols();
			assertEquals(parsed, t.all(), "damage " + i);
			assertArrayEquals(good, Files.readAllBytes(entry), "damage " + i + ": the entry was written again");
		}
		assertThrows(UnusableCacheEntryException.class,
				() -> SymbolCacheEntry.decode(flip(good.clone(), 40), new byte[32]));
	}

	/**
	 * An entry with a right CRC whose names {@link SymbolCacheEntry#encode} never writes (found by the fuzzer): bytes
	 * that are not UTF-8 were decoded with replacement (another name than the one stored), and a NUL (which an ELF
	 * name cannot hold) was kept. Both are refused now, with the reason.
	 */
	@Test
	void namesEncodeNeverWritesAreRefusedWithTheReason() throws Exception {
		byte[] key = new byte[32];
		byte[] good = SymbolCacheEntry.encode(key, List.of(new Symbol("main", 0x401000, 0x20, true),
				new Symbol("h\u00e9llo", 0x402000, 8, false)));
		assertEquals(2, SymbolCacheEntry.decode(good, key).size());
		// CDT makes a name byte over 0x7f the char 0xff80..0xffff: such names still come back as they were
		List<Symbol> cdtHigh = List.of(new Symbol("x\uff80\uffff", 0x401000, 0, true));
		assertEquals(cdtHigh, SymbolCacheEntry.decode(SymbolCacheEntry.encode(key, cdtHigh), key));
		int name = SymbolCacheEntry.MAGIC.length + 4 + 32 + 4 + 19;
		String[][] cases = { { "not UTF-8", "\u00ff" }, { "a NUL", "\0" } };
		for (String[] c : cases) {
			byte[] bad = good.clone();
			bad[name + 1] = (byte) c[1].charAt(0);
			UnusableCacheEntryException e = assertThrows(UnusableCacheEntryException.class,
					() -> SymbolCacheEntry.decode(recrc(bad), key));
			assertEquals("symbol cache entry: symbol 0: " + (c[0].equals("a NUL") ? "a NUL in its name"
					: "its name is not UTF-8"), e.getMessage());
		}
		byte[] overlong = good.clone(); // "\u00e9" (C3 A9) as C0 A9, an overlong form
		overlong[overlong.length - 4 - 5] = (byte) 0xc0;
		assertThrows(UnusableCacheEntryException.class, () -> SymbolCacheEntry.decode(recrc(overlong), key));
		assertEquals("symbol cache entry: count 2147483647 does not fit in " + (good.length - 4 - 56) + " bytes",
				assertThrows(UnusableCacheEntryException.class, () -> SymbolCacheEntry.decode(recrc(
						put(good.clone(), 52, bb -> bb.putInt(Integer.MAX_VALUE))), key)).getMessage());
	}

	private static byte[] flip(byte[] b, int at) {
		b[at] ^= 0x5a;
		return b;
	}

	private static byte[] put(byte[] b, int at, java.util.function.Consumer<ByteBuffer> edit) {
		ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
		bb.position(at);
		edit.accept(bb);
		return b;
	}

	private static byte[] recrc(byte[] b) {
		java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
		crc.update(b, 0, b.length - 4);
		ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length - 4, (int) crc.getValue());
		return b;
	}

	/** Random damage anywhere in an entry: the table is still exactly CDT's, never another exception. */
	@Test
	void randomDamageToAnEntryNeverGivesOtherSymbols() throws Exception {
		Path cache = freshCache("random");
		ElfImage.read(glibcStatic, SymbolCache.in(cache)).symbols().size();
		Path entry = onlyEntry(cache);
		byte[] good = Files.readAllBytes(entry);
		byte[] key = SymbolCache.key(RawElf.parse(glibcStatic, Files.readAllBytes(glibcStatic)));
		assertNotNull(SymbolCacheEntry.decode(good, key));
		Random random = new Random(20261205);
		for (int round = 0; round < 300; round++) {
			byte[] damaged = good.clone();
			for (int k = 0; k <= random.nextInt(4); k++) {
				damaged[random.nextInt(damaged.length)] ^= (byte) (1 + random.nextInt(255));
			}
			assertThrows(UnusableCacheEntryException.class, () -> SymbolCacheEntry.decode(damaged, key), "round " + round);
		}
	}

	@Test
	void theSameBuildIdWithOtherSymbolsGetsItsOwnEntry() throws Exception {
		// rename "counter" in the string table: same build-id, other symbols
		byte[] bytes = Files.readAllBytes(glibcStatic);
		byte[] renamed = bytes.clone();
		int at = nameOffset(glibcStatic, bytes, "counter");
		renamed[at] = 'k';
		Path other = dir.resolve("cache-victim-renamed");
		Files.write(other, renamed);
		Path cache = freshCache("build-id");
		SymbolTable first = ElfImage.read(glibcStatic, SymbolCache.in(cache)).symbols();
		SymbolTable second = ElfImage.read(other, SymbolCache.in(cache)).symbols();
		assertTrue(first.byName("counter").isPresent());
		assertTrue(second.byName("kounter").isPresent());
		assertEquals(Optional.empty(), second.byName("counter"));
		assertEquals(ElfImage.read(glibcStatic).buildId(), ElfImage.read(other).buildId());
		try (var s = Files.list(cache)) {
			assertEquals(2, s.count());
		}
		assertTrue(ElfImage.read(glibcStatic, SymbolCache.in(cache)).symbols().byName("counter").isPresent());
	}

	/** Where the name of symbol {@code name} starts in the file, from .symtab and its string table. */
	private static int nameOffset(Path file, byte[] bytes, String name) {
		RawElf raw = RawElf.parse(file, bytes);
		RawElf.SectionHeader symtab = raw.sections.stream().filter(s -> s.type() == RawElf.SHT_SYMTAB).findFirst()
				.orElseThrow();
		RawElf.SectionHeader strings = raw.sections.get(symtab.link());
		ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
		byte[] wanted = (name + "\0").getBytes(StandardCharsets.US_ASCII);
		for (long at = symtab.offset(); at < symtab.offset() + symtab.size(); at += 24) {
			int start = (int) (strings.offset() + b.getInt((int) at));
			if (Arrays.equals(bytes, start, start + wanted.length, wanted, 0, wanted.length)) {
				return start;
			}
		}
		throw new AssertionError(name + " is not in .symtab");
	}

	@Test
	void aCacheThatCannotBeWrittenOnlyCostsTheParse() throws Exception {
		Path notAFolder = dir.resolve("caches-file");
		Files.writeString(notAFolder, "a file where the cache folder should be");
		assertEquals(parsed, ElfImage.read(glibcStatic, SymbolCache.in(notAFolder.resolve("symbols"))).symbols().all());
		Path cache = freshCache("entry-is-a-folder");
		byte[] key = SymbolCache.key(RawElf.parse(glibcStatic, Files.readAllBytes(glibcStatic)));
		Files.createDirectories(SymbolCache.in(cache).entry(Optional.of(NativeTools.readelfBuildId(glibcStatic)), key));
		assertEquals(parsed, ElfImage.read(glibcStatic, SymbolCache.in(cache)).symbols().all());
	}

	@Test
	void theSymbolsAreThoseOfTheValidatedBytesEvenWhenTheFileChangesOrGoes() throws Exception {
		Path copy = dir.resolve("moving-target");
		Files.copy(glibcStatic, copy);
		ElfImage image = ElfImage.read(copy, SymbolCache.off());
		Files.delete(copy);
		assertEquals(parsed, image.symbols().all(), "read from the bytes held, the file is gone");

		Files.copy(glibcStatic, copy);
		ElfImage replaced = ElfImage.read(copy, SymbolCache.off());
		Files.write(copy, Files.readAllBytes(NativeTools.compile(dir, "musl-gcc", "other", NativeTools.HELLO,
				"-static")));
		assertEquals(parsed, replaced.symbols().all(), "the file was replaced by another program");
	}
}
