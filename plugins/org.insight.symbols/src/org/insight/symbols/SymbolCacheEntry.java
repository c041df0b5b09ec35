package org.insight.symbols;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The bytes of one {@link SymbolCache} entry, all little-endian: the magic, the version (u32), the key (the SHA-256
 * of the symbol tables, 32 bytes), the symbol count (u32), then per symbol its address and size (u64 each), a function
 * flag (u8: 0 or 1), the length of its name (u16) and the name (UTF-8, no NUL), and last the CRC32C of everything
 * before it. The file is untrusted (anyone who can write the cache folder, a failing disk): {@link #decode} accepts
 * exactly what {@link #encode} writes and refuses anything else with the reason, before allocating for any length or
 * count it has not checked against the bytes left. Fuzzed ({@code ./insight fuzz symbol-cache}).
 */
final class SymbolCacheEntry {
	private SymbolCacheEntry() {
	}

	/** Changing what an entry holds, or how symbols are chosen from the ELF, changes this. */
	static final int VERSION = 1;
	static final byte[] MAGIC = "INSIGHT-SYMBOLS\n".getBytes(StandardCharsets.US_ASCII);
	private static final int HEADER = MAGIC.length + 4 + 32 + 4;
	/** address, size, function flag, name length: the smallest a symbol can take. */
	private static final int MIN_SYMBOL = 8 + 8 + 1 + 2;

	/**
	 * Parses an entry; throws when anything in it is not exactly what {@link #encode} writes for {@code key}: each
	 * length and count is checked against the bytes left before anything is allocated for it.
	 */
	static List<Symbol> decode(byte[] bytes, byte[] key) throws UnusableCacheEntryException {
		if (bytes.length < HEADER + 4) {
			throw unusable(bytes.length + " bytes, shorter than a header");
		}
		ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
		CRC32C crc = new CRC32C();
		crc.update(bytes, 0, bytes.length - 4);
		if ((int) crc.getValue() != b.getInt(bytes.length - 4)) {
			throw unusable("CRC32C mismatch");
		}
		if (!Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
			throw unusable("not a symbol cache entry (magic)");
		}
		b.position(MAGIC.length);
		int version = b.getInt();
		if (version != VERSION) {
			throw unusable("version " + version + ", not " + VERSION);
		}
		byte[] stored = new byte[32];
		b.get(stored);
		if (!MessageDigest.isEqual(stored, key)) {
			throw unusable("stale: made from other symbol tables (key)");
		}
		int count = b.getInt();
		int end = bytes.length - 4;
		if (count < 0 || count > (end - b.position()) / MIN_SYMBOL) {
			throw unusable("count " + Integer.toUnsignedString(count) + " does not fit in " + (end - b.position())
					+ " bytes");
		}
		List<Symbol> symbols = new ArrayList<>(count);
		CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder(); // reports malformed input, replaces nothing
		for (int i = 0; i < count; i++) {
			if (end - b.position() < MIN_SYMBOL) {
				throw unusable("symbol " + i + " of " + count + " is cut short");
			}
			long address = b.getLong();
			long size = b.getLong();
			byte function = b.get();
			int nameLength = b.getShort() & 0xffff;
			if (nameLength > end - b.position()) {
				throw unusable("symbol " + i + ": a " + nameLength + "-byte name runs past the entry");
			}
			if ((function != 0 && function != 1) || !keeps(address, size)) {
				throw unusable("symbol " + i + " is not one the ELF reader keeps");
			}
			symbols.add(new Symbol(name(bytes, b, nameLength, utf8, i), address, size, function == 1));
		}
		if (b.position() != end) {
			throw unusable((end - b.position()) + " bytes after the last symbol");
		}
		return symbols;
	}

	/**
	 * The name of symbol {@code i}, {@code length} bytes at {@code b}'s position (then moved past it): strict UTF-8
	 * without a NUL, as {@link #encode} writes a name the ELF reader gave (which ends at the first NUL). Decoding with
	 * replacement would turn bytes {@code encode} never writes into other names.
	 */
	private static String name(byte[] bytes, ByteBuffer b, int length, CharsetDecoder utf8, int i)
			throws UnusableCacheEntryException {
		int at = b.position();
		for (int k = at; k < at + length; k++) {
			if (bytes[k] == 0) {
				throw unusable("symbol " + i + ": a NUL in its name");
			}
		}
		try {
			String name = utf8.decode(ByteBuffer.wrap(bytes, at, length)).toString();
			b.position(at + length);
			return name;
		} catch (CharacterCodingException e) {
			throw unusable("symbol " + i + ": its name is not UTF-8");
		}
	}

	private static UnusableCacheEntryException unusable(String why) {
		return new UnusableCacheEntryException("symbol cache entry: " + why);
	}

	/** What {@link ElfSymbols} keeps: a positive address, a size that does not run past the user address space. */
	static boolean keeps(long address, long size) {
		return address > 0 && size >= 0 && size <= RawElf.USER_TOP - Math.min(address, RawElf.USER_TOP);
	}

	static byte[] encode(byte[] key, List<Symbol> symbols) {
		List<byte[]> names = new ArrayList<>(symbols.size());
		int length = HEADER + 4;
		for (Symbol s : symbols) {
			byte[] name = s.name().getBytes(StandardCharsets.UTF_8);
			if (name.length > 0xffff) {
				return null; // a name this long cannot be stored: such a table is not kept
			}
			names.add(name);
			length += MIN_SYMBOL + name.length;
		}
		ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
		b.put(MAGIC).putInt(VERSION).put(key).putInt(symbols.size());
		for (int i = 0; i < symbols.size(); i++) {
			Symbol s = symbols.get(i);
			b.putLong(s.address()).putLong(s.size()).put((byte) (s.function() ? 1 : 0))
					.putShort((short) names.get(i).length).put(names.get(i));
		}
		CRC32C crc = new CRC32C();
		crc.update(b.array(), 0, b.position());
		b.putInt((int) crc.getValue());
		return b.array();
	}
}
