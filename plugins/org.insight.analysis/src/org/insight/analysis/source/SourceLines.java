package org.insight.analysis.source;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

import org.insight.symbols.SymbolTable;

/**
 * Maps guest addresses to function, file and line for one binary. The lines come from DWARF through
 * {@link Addr2line}, all addresses of a report in one batch; the function falls back to the symbol table
 * ("worker+0x1c") when there is no line information, with a note saying why (no {@code -g}, or no binutils).
 */
public final class SourceLines {
	/** The note of a binary without any line information. */
	public static final String NO_DEBUG_INFO = "the binary has no line information: build it with -g";
	/** The note of an address without line information in a binary that has some (libc's code, as a rule). */
	public static final String NO_LINE_HERE = "no line information here (code built without -g, such as libc's)";

	private final Map<Long, SourceLocation> known = new HashMap<>();
	private final SymbolTable symbols;
	private String problem;

	private SourceLines(SymbolTable symbols, String problem) {
		this.symbols = symbols;
		this.problem = problem;
	}

	/**
	 * Resolves {@code addresses} (as loaded) of {@code binary} (the file whose symbols {@code symbols} are), loaded
	 * {@code bias} above its file addresses (a static-PIE's base, 0 otherwise).
	 */
	public static SourceLines resolve(Path binary, SymbolTable symbols, long bias, Collection<Long> addresses) {
		return resolve("addr2line", binary, symbols, bias, addresses);
	}

	static SourceLines resolve(String tool, Path binary, SymbolTable symbols, long bias, Collection<Long> addresses) {
		Objects.requireNonNull(symbols, "symbols");
		List<Long> asked = new ArrayList<>(new TreeSet<>(addresses));
		List<Long> file = asked.stream().map(a -> a - bias).toList();
		Map<Long, List<String[]>> answers;
		String problem = null;
		try {
			answers = asked.isEmpty() ? Map.of() : Addr2line.run(tool, binary, file);
		} catch (IOException e) {
			answers = Map.of();
			problem = "no line information: " + e.getMessage();
		}
		SourceLines lines = new SourceLines(symbols, problem);
		boolean any = false;
		for (long a : asked) {
			SourceLocation l = lines.locate(a, answers.get(a - bias));
			any |= l.note() == null;
			lines.known.put(a, l);
		}
		if (!any && !asked.isEmpty() && problem == null) {
			lines.problem = NO_DEBUG_INFO;
		}
		return lines;
	}

	private SourceLocation locate(long address, List<String[]> answer) {
		List<SourceLocation.Frame> frames = new ArrayList<>();
		if (answer != null) {
			for (String[] f : answer) {
				if (f[1].equals("??") || f[2].equals("0")) {
					continue;
				}
				String function = f[0].equals("??") ? symbols.describe(address) : f[0];
				frames.add(new SourceLocation.Frame(function, f[1], Integer.parseInt(f[2])));
			}
		}
		if (frames.isEmpty()) {
			return new SourceLocation(address, List.of(new SourceLocation.Frame(symbols.describe(address), null, 0)),
					problem != null ? problem : NO_LINE_HERE);
		}
		return new SourceLocation(address, frames, null);
	}

	/**
	 * Takes the locations {@code other} resolved (those of another binary of the same process: a shared library's,
	 * resolved against its own file and bias) as this one's; this one's problem note stays.
	 */
	public void include(SourceLines other) {
		known.putAll(other.known);
	}

	/** Lines known in advance (a report of saved locations, the report tests), no addr2line run. */
	public static SourceLines of(Collection<SourceLocation> locations, SymbolTable symbols) {
		SourceLines lines = new SourceLines(Objects.requireNonNull(symbols, "symbols"), null);
		for (SourceLocation l : locations) {
			lines.known.put(l.address(), l);
		}
		return lines;
	}

	/** Where {@code address} is; an address not resolved in the batch gets its symbol only. */
	public SourceLocation at(long address) {
		SourceLocation l = known.get(address);
		return l != null ? l
				: new SourceLocation(address, List.of(new SourceLocation.Frame(symbols.describe(address), null, 0)),
						"not resolved");
	}

	/** Why no address has lines (addr2line missing or failing, a binary without -g), or null. */
	public String problem() {
		return problem;
	}
}
