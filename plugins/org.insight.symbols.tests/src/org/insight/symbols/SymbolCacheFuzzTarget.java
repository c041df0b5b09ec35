package org.insight.symbols;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

import org.insight.testsupport.FuzzInput;

/**
 * Fuzz target "symbol-cache": the decoder of a symbol cache entry ({@link SymbolCacheEntry#decode}), a file anyone
 * who can write the cache folder (or a failing disk) controls. The first byte of the input chooses what the rest is:
 * <ul>
 * <li>low three bits 0: the whole entry, as is (the CRC, magic, version and key checks);</li>
 * <li>low three bits 1: the entry without its CRC32C, which the target appends (the magic, version and key checks and
 * the body behind them);</li>
 * <li>anything else (3 inputs in 4): the body (symbol count, symbols), which the target seals with the magic, the
 * version, {@link #KEY} and a correct CRC32C, so that mutations reach the decoding loop instead of stopping at the
 * CRC.</li>
 * </ul>
 * The decoder either refuses the entry (a miss: the caller parses the ELF again and replaces it) or returns symbols,
 * which must then be exactly what {@link SymbolCacheEntry#encode} writes back for them (byte for byte) and what the ELF
 * reader keeps, and which are indexed and queried as the analysis does. Seeds: real entries of the built guests'
 * {@code hello} ({@link SymbolCacheFuzzSeeds}). Run by {@code ./insight fuzz symbol-cache}, replayed by
 * {@code SymbolsFuzzCorpusTest}.
 */
public final class SymbolCacheFuzzTarget {
	private SymbolCacheFuzzTarget() {
	}

	/** The key every input is decoded with (an entry is keyed by the SHA-256 of its executable's symbol tables). */
	static final byte[] KEY = new byte[32];
	static {
		for (int i = 0; i < KEY.length; i++) {
			KEY[i] = (byte) (0x5e + 7 * i);
		}
	}

	static final int RAW = 0;
	static final int NO_CRC = 1;
	static final int SEALED = 2;

	public static void fuzzerTestOneInput(byte[] data) {
		run(data);
	}

	/** One input through the target: null when the entry was decoded, the refusal when it was refused. */
	static Throwable run(byte[] data) {
		byte[] entry = entry(data);
		return FuzzInput.check("symbol-cache", () -> decodeAndQuery(entry), UnusableCacheEntryException.class);
	}

	/** The cache entry an input stands for (see the class comment). */
	static byte[] entry(byte[] data) {
		if (data.length == 0) {
			return data;
		}
		byte[] rest = Arrays.copyOfRange(data, 1, data.length);
		return switch (data[0] & 7) {
		case RAW -> rest;
		case NO_CRC -> withCrc(rest);
		default -> seal(rest);
		};
	}

	/** The magic, the version and {@link #KEY}, then {@code body}, then the CRC32C of all that. */
	static byte[] seal(byte[] body) {
		ByteBuffer b = ByteBuffer.allocate(SymbolCacheEntry.MAGIC.length + 4 + KEY.length + body.length)
				.order(ByteOrder.LITTLE_ENDIAN);
		b.put(SymbolCacheEntry.MAGIC).putInt(SymbolCacheEntry.VERSION).put(KEY).put(body);
		return withCrc(b.array());
	}

	static byte[] withCrc(byte[] bytes) {
		CRC32C crc = new CRC32C();
		crc.update(bytes);
		byte[] out = Arrays.copyOf(bytes, bytes.length + 4);
		ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(bytes.length, (int) crc.getValue());
		return out;
	}

	static void decodeAndQuery(byte[] entry) throws UnusableCacheEntryException {
		List<Symbol> symbols = SymbolCacheEntry.decode(entry, KEY);
		for (Symbol s : symbols) {
			if (!SymbolCacheEntry.keeps(s.address(), s.size()) || s.name().indexOf('\0') >= 0) {
				throw new AssertionError("decoded a symbol the ELF reader never keeps: " + s);
			}
		}
		if (!Arrays.equals(entry, SymbolCacheEntry.encode(KEY, symbols))) {
			throw new AssertionError("decoded " + symbols.size() + " symbols that encode to other bytes");
		}
		SymbolTable table = SymbolTable.of(symbols);
		for (Symbol s : table.all()) {
			table.lookup(s.address());
			table.lookup(s.end() - 1);
			table.lookup(s.end());
			table.byName(s.name());
			table.describe(s.address() + 1);
		}
		table.functions();
	}
}
