package org.insight.symbols;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The symbols of executables already read, kept on disk so that the next run does not parse the ELF symbol table
 * again: one small file per executable under {@code ~/.cache/insight/symbols} ({@code $XDG_CACHE_HOME} when set;
 * system property {@value #PROPERTY} names another folder, or {@code off}).
 * <p>
 * An entry is named by the build-id and holds the SHA-256 of everything the symbols are made from (the section
 * header table, each symbol table and its string table, and this format's version), so a rebuilt or stripped file with
 * the same build-id never gets another file's names. Every entry is checked before use (magic, version, that digest,
 * a CRC32C of the whole entry, every length against the entry's size, every symbol as the ELF reader would keep it);
 * anything wrong makes it a miss, the symbols are parsed again and the entry is replaced. Entries are written to a
 * temporary file and renamed, so a reader never sees half of one. The cache is an optimisation only: a folder that
 * cannot be read or written costs the parse, never a failure.
 */
final class SymbolCache {
	/** System property: the cache folder, or {@code off}. */
	static final String PROPERTY = "insight.symbolCache";
	/** Changing what an entry holds, or how symbols are chosen from the ELF, changes this. */
	static final int VERSION = 1;
	static final byte[] MAGIC = "INSIGHT-SYMBOLS\n".getBytes(StandardCharsets.US_ASCII);
	/** At most this many entries; past it the oldest are removed when an entry is written. */
	static final int MAX_ENTRIES = 256;
	private static final int HEADER = MAGIC.length + 4 + 32 + 4;
	/** address, size, function flag, name length: the smallest a symbol can take. */
	private static final int MIN_SYMBOL = 8 + 8 + 1 + 2;
	private static final long MAX_ENTRY_SIZE = 64L << 20;

	private final Path dir;

	private SymbolCache(Path dir) {
		this.dir = dir;
	}

	/** The cache this process uses: {@value #PROPERTY}, else {@code $XDG_CACHE_HOME/insight/symbols}, else ~/.cache. */
	static SymbolCache standard() {
		String property = System.getProperty(PROPERTY);
		if (property != null && !property.isBlank()) {
			return property.strip().equals("off") ? off() : in(Path.of(property.strip()));
		}
		String xdg = System.getenv("XDG_CACHE_HOME");
		if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
			return in(Path.of(xdg, "insight", "symbols"));
		}
		String home = System.getProperty("user.home");
		if (home == null || home.isBlank() || home.equals("?")) {
			return off();
		}
		return in(Path.of(home, ".cache", "insight", "symbols"));
	}

	static SymbolCache in(Path dir) {
		return new SymbolCache(dir);
	}

	static SymbolCache off() {
		return new SymbolCache(null);
	}

	boolean enabled() {
		return dir != null;
	}

	/** SHA-256 of the format version, the section header table, and each symbol table with its string table. */
	static byte[] key(RawElf raw) {
		MessageDigest digest;
		try {
			digest = MessageDigest.getInstance("SHA-256");
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("SHA-256 is missing from this JDK", e);
		}
		ByteBuffer head = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(VERSION)
				.putInt(raw.sections.size()).putLong(raw.bytes.length);
		digest.update(head.array());
		if (!raw.sections.isEmpty()) {
			digest.update(raw.bytes, (int) raw.shoff, raw.sections.size() * RawElf.SHDR_SIZE);
		}
		for (RawElf.SectionHeader s : raw.sections) {
			if (s.type() == RawElf.SHT_SYMTAB || s.type() == RawElf.SHT_DYNSYM) {
				RawElf.SectionHeader strings = raw.sections.get(s.link());
				digest.update(raw.bytes, (int) s.offset(), (int) s.size());
				digest.update(raw.bytes, (int) strings.offset(), (int) strings.size());
			}
		}
		return digest.digest();
	}

	/** The entry's file: the build-id (or "no-build-id") and the start of the key. */
	Path entry(Optional<String> buildId, byte[] key) {
		return dir.resolve(buildId.orElse("no-build-id") + "-" + HexFormat.of().formatHex(key, 0, 8) + ".symbols");
	}

	/** The symbols kept for {@code key}, or null when there is no usable entry (missing, stale or damaged). */
	List<Symbol> read(Optional<String> buildId, byte[] key) {
		if (dir == null) {
			return null;
		}
		Path f = entry(buildId, key);
		byte[] bytes;
		try {
			if (Files.size(f) > MAX_ENTRY_SIZE) {
				return null;
			}
			bytes = Files.readAllBytes(f);
		} catch (IOException | RuntimeException e) {
			return null;
		}
		try {
			return decode(bytes, key);
		} catch (UnusableCacheEntryException e) {
			return null; // a miss: the caller parses the ELF again and replaces the entry
		}
	}

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
			String name = new String(bytes, b.position(), nameLength, StandardCharsets.UTF_8);
			b.position(b.position() + nameLength);
			symbols.add(new Symbol(name, address, size, function == 1));
		}
		if (b.position() != end) {
			throw unusable((end - b.position()) + " bytes after the last symbol");
		}
		return symbols;
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

	/** Keeps {@code symbols} for {@code key}; quietly does nothing when the folder cannot be written. */
	void write(Optional<String> buildId, byte[] key, List<Symbol> symbols) {
		if (dir == null) {
			return;
		}
		byte[] bytes = encode(key, symbols);
		if (bytes == null) {
			return;
		}
		Path tmp = null;
		try {
			Files.createDirectories(dir);
			tmp = Files.createTempFile(dir, ".entry-", ".tmp");
			Files.write(tmp, bytes);
			Files.move(tmp, entry(buildId, key), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			tmp = null;
			prune();
		} catch (IOException | RuntimeException e) {
			// a cache that cannot be written only costs the next run a parse
		} finally {
			if (tmp != null) {
				try {
					Files.deleteIfExists(tmp);
				} catch (IOException e) {
					// as above
				}
			}
		}
	}

	/** Removes the least recently written entries past {@link #MAX_ENTRIES}. */
	private void prune() throws IOException {
		List<Path> entries = new ArrayList<>();
		try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.symbols")) {
			s.forEach(entries::add);
		}
		if (entries.size() <= MAX_ENTRIES) {
			return;
		}
		entries.sort(Comparator.comparing(SymbolCache::modified));
		for (Path p : entries.subList(0, entries.size() - MAX_ENTRIES)) {
			Files.deleteIfExists(p);
		}
	}

	private static FileTime modified(Path p) {
		try {
			return Files.getLastModifiedTime(p);
		} catch (IOException e) {
			return FileTime.fromMillis(0);
		}
	}

	@Override
	public String toString() {
		return dir == null ? "SymbolCache[off]" : "SymbolCache[" + dir + "]";
	}
}
