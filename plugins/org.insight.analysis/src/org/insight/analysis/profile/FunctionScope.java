package org.insight.analysis.profile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.insight.analysis.source.SourceLines;
import org.insight.analysis.source.SourceLocation;
import org.insight.vmm.loader.LoadedImage;

/**
 * Which functions the exact profile hooks. {@link #ALL}, the default, is every sized function of the symbol table,
 * libc's included: the binaries are static, so libc's code is the program's as far as the symbol table goes, and
 * no line information tells them apart (Debian's static glibc has lines for some of its own functions).
 * {@link #inFiles} is only the functions defined in the named source files (their entry's line, from {@code -g}, is
 * in a file of that name): fewer hooks, so fewer exits, for a program whose libc calls (memcpy, malloc, stdio) make
 * the full profile slow. A call through an unhooked function (qsort calling back) is then the hooked caller's.
 *
 * @param files source file names ("calls.c", or a path's tail "src/calls.c"); empty: every sized function
 */
public record FunctionScope(List<String> files) {
	public static final FunctionScope ALL = new FunctionScope(List.of());

	public FunctionScope {
		files = List.copyOf(files);
	}

	public static FunctionScope inFiles(List<String> files) {
		if (files.isEmpty()) {
			throw new IllegalArgumentException("no source file named");
		}
		return new FunctionScope(files);
	}

	/** The functions to hook in {@code loaded}, by entry address. */
	public Map<Long, String> select(LoadedImage loaded) {
		Map<Long, String> all = FunctionHooks.sizedFunctions(loaded.symbols());
		if (files.isEmpty()) {
			return all;
		}
		SourceLines lines = lines(loaded, all);
		if (lines.problem() != null) {
			throw new ScopeException("--functions-in " + String.join(",", files) + ": " + lines.problem());
		}
		Map<Long, String> chosen = new TreeMap<>();
		all.forEach((address, name) -> {
			SourceLocation.Frame at = lines.at(address).top();
			if (at.file() != null && files.stream().anyMatch(f -> named(at.file(), f))) {
				chosen.put(address, name);
			}
		});
		if (chosen.isEmpty()) {
			throw new ScopeException("--functions-in " + String.join(",", files) + ": no function of the program is"
					+ " defined in " + (files.size() == 1 ? "that file" : "those files") + " (by its line information;"
					+ " name a source file as the program was compiled, e.g. calls.c or src/calls.c)");
		}
		return chosen;
	}

	/** The scope cannot be had: the binary has no line information, or the files named define no function. */
	public static final class ScopeException extends RuntimeException {
		private static final long serialVersionUID = 1L;

		ScopeException(String message) {
			super(message);
		}
	}

	/** Whether {@code path} is the file {@code name}: equal, or ending in "/" + name. */
	static boolean named(String path, String name) {
		return path.equals(name) || path.endsWith("/" + name);
	}

	private static SourceLines lines(LoadedImage loaded, Map<Long, String> functions) {
		try {
			Path elf = Files.createTempFile("insight-profile-", ".elf", PosixFilePermissions.asFileAttribute(
					PosixFilePermissions.fromString("rw-------")));
			try {
				Files.write(elf, loaded.image().bytes());
				return SourceLines.resolve(elf, loaded.symbols(), loaded.bias(), functions.keySet());
			} finally {
				Files.deleteIfExists(elf);
			}
		} catch (IOException e) {
			throw new IllegalStateException("cannot write the program for addr2line: " + e.getMessage(), e);
		}
	}
}
