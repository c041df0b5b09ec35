package org.insight.symbols;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The symbols of executables already read, kept on disk so that the next run does not parse the ELF symbol table
 * again: one small file per executable under {@code ~/.cache/insight/symbols} ({@code $XDG_CACHE_HOME} when set;
 * system property {@value #PROPERTY} names another folder, or {@code off}).
 * <p>
 * An entry is named by the build-id and holds the SHA-256 of everything the symbols are made from (the section
 * header table, each symbol table and its string table, and this format's version), so a rebuilt or stripped file with
 * the same build-id never gets another file's names. Every entry is checked before use ({@link SymbolCacheEntry}:
 * magic, version, that digest, a CRC32C of the whole entry, every length against the entry's size, every symbol as
 * the ELF reader would keep it); anything wrong makes it a miss, the symbols are parsed again and the entry is
 * replaced. Entries are written to a temporary file and renamed, so a reader never sees half of one. The cache is an
 * optimisation only: a folder that cannot be read or written costs the parse, never a failure.
 */
final class SymbolCache {
	/** System property: the cache folder, or {@code off}. */
	static final String PROPERTY = "insight.symbolCache";
	/** At most this many entries; past it the oldest are removed when an entry is written. */
	static final int MAX_ENTRIES = 256;
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
		ByteBuffer head = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(SymbolCacheEntry.VERSION)
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
			return SymbolCacheEntry.decode(bytes, key);
		} catch (UnusableCacheEntryException e) {
			return null; // a miss: the caller parses the ELF again and replaces the entry
		}
	}

	/** Keeps {@code symbols} for {@code key}; quietly does nothing when the folder cannot be written. */
	void write(Optional<String> buildId, byte[] key, List<Symbol> symbols) {
		if (dir == null) {
			return;
		}
		byte[] bytes = SymbolCacheEntry.encode(key, symbols);
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
