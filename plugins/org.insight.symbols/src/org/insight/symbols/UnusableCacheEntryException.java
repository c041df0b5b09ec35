package org.insight.symbols;

/**
 * Why a {@link SymbolCache} entry cannot be used (damaged, stale, of another version, or never written by
 * {@link SymbolCacheEntry#encode}): a cache miss, never an error a user sees. The symbols are parsed from the ELF
 * again and the entry is replaced.
 */
final class UnusableCacheEntryException extends Exception {
	private static final long serialVersionUID = 1L;

	UnusableCacheEntryException(String message) {
		super(message);
	}
}
