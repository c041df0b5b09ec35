package org.insight.symbols;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes the seeds of {@link SymbolCacheFuzzTarget} (committed under
 * plugins/org.insight.symbols.tests/fuzz/symbol-cache/corpus/) from real cache entries: the entries the symbol loader
 * writes for the built guests' {@code hello} (glibc and musl, static), in the target's three forms. The fuzzer reads at
 * most 8 KiB of an input, so the glibc entry (about 1,700 symbols) keeps the symbols that fit, in the entry's order.
 * Run it again when the entry format changes:
 * {@code java ... org.insight.symbols.SymbolCacheFuzzSeeds build/guests plugins/org.insight.symbols.tests/fuzz}.
 */
public final class SymbolCacheFuzzSeeds {
	private SymbolCacheFuzzSeeds() {
	}

	/** What the fuzzer reads of an input ({@code ./insight fuzz}: -max_len). */
	private static final int MAX_INPUT = 8192;

	public static void main(String[] args) throws Exception {
		Path guests = Path.of(args[0]);
		Path corpus = Files.createDirectories(Path.of(args[1]).resolve("symbol-cache/corpus"));
		byte[] musl = realEntry(guests.resolve("musl/hello"));
		byte[] glibc = realEntry(guests.resolve("glibc/hello"));
		Files.write(corpus.resolve("seed-musl-hello"), input(SymbolCacheFuzzTarget.SEALED, body(musl)));
		Files.write(corpus.resolve("seed-glibc-hello"), input(SymbolCacheFuzzTarget.SEALED, body(fitting(glibc))));
		byte[] rekeyed = SymbolCacheEntry.encode(SymbolCacheFuzzTarget.KEY, SymbolCacheEntry.decode(musl, keyOf(musl)));
		Files.write(corpus.resolve("seed-raw-musl-hello"), input(SymbolCacheFuzzTarget.RAW, rekeyed));
		Files.write(corpus.resolve("seed-no-crc-musl-hello"),
				input(SymbolCacheFuzzTarget.NO_CRC, Arrays.copyOf(rekeyed, rekeyed.length - 4)));
	}

	/** The entry the symbol loader writes for {@code program}, in a fresh cache folder. */
	static byte[] realEntry(Path program) throws Exception {
		Path cache = Files.createTempDirectory("insight-seed-cache");
		ElfImage.read(program, SymbolCache.in(cache)).symbols().size();
		try (Stream<Path> s = Files.list(cache)) {
			Path entry = s.filter(p -> p.toString().endsWith(".symbols")).findFirst().orElseThrow();
			byte[] bytes = Files.readAllBytes(entry);
			Files.delete(entry);
			Files.delete(cache);
			return bytes;
		}
	}

	private static byte[] keyOf(byte[] entry) {
		return Arrays.copyOfRange(entry, SymbolCacheEntry.MAGIC.length + 4, SymbolCacheEntry.MAGIC.length + 4 + 32);
	}

	/** The entry of the first symbols of {@code entry} whose body fits in an input. */
	private static byte[] fitting(byte[] entry) throws Exception {
		List<Symbol> symbols = SymbolCacheEntry.decode(entry, keyOf(entry));
		int n = symbols.size();
		byte[] e = entry;
		while (body(e).length + 1 > MAX_INPUT) {
			n = n * 9 / 10;
			e = SymbolCacheEntry.encode(keyOf(entry), symbols.subList(0, n));
		}
		return e;
	}

	/** What follows the magic, the version and the key, up to the CRC32C: the count and the symbols. */
	private static byte[] body(byte[] entry) {
		return Arrays.copyOfRange(entry, SymbolCacheEntry.MAGIC.length + 4 + 32, entry.length - 4);
	}

	private static byte[] input(int mode, byte[] rest) {
		byte[] in = new byte[rest.length + 1];
		in[0] = (byte) mode;
		System.arraycopy(rest, 0, in, 1, rest.length);
		return in;
	}
}
