package org.insight.symbols;

import org.insight.testsupport.HostTools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compiles tiny C programs with the host's gcc / musl-gcc at test time, and asks binutils (readelf, nm) what a file
 * holds, so the tests compare the reader against an independent implementation instead of against itself.
 */
final class NativeTools {
	private NativeTools() {
	}

	static final String HELLO = """
			#include <stdio.h>
			int counter = 3;
			static long table[16];
			int main(int argc, char **argv) {
				table[argc & 15] = counter;
				printf("hello %d %ld\\n", counter, table[1]);
				return 0;
			}
			""";

	/** Compiles {@code source} into {@code dir/name} with {@code compiler} (gcc or musl-gcc) and the given flags. */
	static Path compile(Path dir, String compiler, String name, String source, String... flags)
			throws IOException, InterruptedException {
		return HostTools.compile(dir, compiler, name, source, flags);
	}

	/** Runs a host tool and returns its stdout; fails the test with the tool's output when it fails. */
	static String run(String... command) throws IOException, InterruptedException {
		return HostTools.run(command);
	}

	static long readelfEntry(Path file) throws IOException, InterruptedException {
		return hexAfter(run("readelf", "-hW", file.toString()), "Entry point address:\\s+0x([0-9a-f]+)");
	}

	/** st_value of a symbol as nm prints it. */
	static long nmAddress(Path file, String symbol) throws IOException, InterruptedException {
		return hexAfter(run("nm", file.toString()), "(?m)^([0-9a-f]+) \\w " + Pattern.quote(symbol) + "$");
	}

	static String readelfBuildId(Path file) throws IOException, InterruptedException {
		Matcher m = Pattern.compile("Build ID: ([0-9a-f]+)").matcher(run("readelf", "-nW", file.toString()));
		return m.find() ? m.group(1) : null;
	}

	/** The PT_LOAD lines of {@code readelf -lW} as LoadSegments. */
	static List<LoadSegment> readelfLoads(Path file) throws IOException, InterruptedException {
		Matcher m = Pattern.compile("(?m)^\\s+LOAD\\s+0x(\\p{XDigit}+)\\s+0x(\\p{XDigit}+)\\s+0x\\p{XDigit}+\\s+"
				+ "0x(\\p{XDigit}+)\\s+0x(\\p{XDigit}+)\\s+([R ][W ][E ])").matcher(run("readelf", "-lW", file.toString()));
		List<LoadSegment> loads = new ArrayList<>();
		while (m.find()) {
			String f = m.group(5);
			loads.add(new LoadSegment(Long.parseUnsignedLong(m.group(2), 16), Long.parseUnsignedLong(m.group(4), 16),
					Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(3), 16), f.charAt(0) == 'R',
					f.charAt(1) == 'W', f.charAt(2) == 'E'));
		}
		return loads;
	}

	private static long hexAfter(String text, String regex) {
		Matcher m = Pattern.compile(regex).matcher(text);
		if (!m.find()) {
			fail("no match for " + regex + " in:\n" + text);
		}
		long value = Long.parseUnsignedLong(m.group(1), 16);
		assertEquals(false, m.find(), "ambiguous match for " + regex);
		return value;
	}

	/** build/guests of the build (system property insight.guests, else found above user.dir), or null. */
	static Path guests() {
		String property = System.getProperty("insight.guests");
		if (property != null && !property.isBlank()) {
			Path p = Path.of(property);
			return Files.isDirectory(p) ? p : null;
		}
		for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
			Path p = dir.resolve("build/guests");
			if (Files.isDirectory(p)) {
				return p;
			}
		}
		return null;
	}
}
