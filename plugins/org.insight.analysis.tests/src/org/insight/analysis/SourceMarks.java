package org.insight.analysis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.insight.testsupport.GuestManifest;

/**
 * Lines of a guest program's source found by what they hold, so that the accuracy tests know where a lock is taken
 * without hard-coded line numbers: a C comment holding {@code MARK name} at the end of the line, or the statement
 * itself.
 */
final class SourceMarks {
	private final Path source;
	private final List<String> lines;

	private SourceMarks(Path source, List<String> lines) {
		this.source = source;
		this.lines = lines;
	}

	/** {@code relative}: the source from the repository's root ("guest-tests/lockorder.c"). */
	static SourceMarks of(String relative) throws IOException {
		Path source = GuestManifest.root().resolve(relative);
		return new SourceMarks(source, Files.readAllLines(source));
	}

	/** The 1-based line that ends with a C comment holding {@code MARK name}; exactly one must. */
	int mark(String name) {
		return unique("/* MARK " + name + " */", true);
	}

	/** The 1-based line that holds {@code text}; exactly one must. */
	int holding(String text) {
		return unique(text, false);
	}

	/** Line {@code n} (1-based). */
	String line(int n) {
		return lines.get(n - 1);
	}

	/** The source's file name ("lockorder.c"), as addr2line's answers end. */
	String fileName() {
		return source.getFileName().toString();
	}

	private int unique(String text, boolean atEnd) {
		int found = 0;
		for (int i = 0; i < lines.size(); i++) {
			String l = lines.get(i).stripTrailing();
			if (atEnd ? l.endsWith(text) : l.contains(text)) {
				if (found != 0) {
					throw new AssertionError(source + " has '" + text + "' at lines " + found + " and " + (i + 1));
				}
				found = i + 1;
			}
		}
		if (found == 0) {
			throw new AssertionError(source + " has no line with '" + text + "'");
		}
		return found;
	}
}
