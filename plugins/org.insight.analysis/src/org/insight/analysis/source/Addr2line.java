package org.insight.analysis.source;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * File and line of many addresses of one binary from binutils' {@code addr2line -a -i -f -e BINARY}, in one process
 * that is given all the addresses at once.
 * <p>
 * Why not CDT: its DWARF readers ({@code DwarfReader}, {@code DebugAddr2line}) give line 0 for gcc 12 binaries in both
 * DWARF 5 and 4, because they do not decode the line program; and CDT's own {@code org.eclipse.cdt.utils.Addr2line}
 * runs the same tool without {@code -i} (no inlined frames) and one round trip per address. With {@code -a} every
 * answer starts with the address it is for, which is what lets a batch with a varying number of inlined frames per
 * address be split again.
 */
public final class Addr2line {
	private Addr2line() {
	}

	/**
	 * The frames of each address, innermost first, each as function, file and line as addr2line prints them ("??"
	 * and "0" when unknown).
	 *
	 * @throws IOException when addr2line cannot be run or fails
	 */
	static Map<Long, List<String[]>> run(String tool, Path binary, List<Long> addresses) throws IOException {
		List<String> cmd = List.of(tool, "-a", "-i", "-f", "-e", binary.toString());
		Process p;
		try {
			p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
		} catch (IOException e) {
			throw new IOException(tool + " (binutils) cannot be run: " + e.getMessage(), e);
		}
		CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
			try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
					StandardCharsets.UTF_8))) {
				StringBuilder b = new StringBuilder();
				for (String l; (l = r.readLine()) != null;) {
					b.append(l).append('\n');
				}
				return b.toString();
			} catch (IOException e) {
				throw new java.io.UncheckedIOException(e);
			}
		});
		try (Writer w = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.US_ASCII)) {
			for (long a : addresses) {
				w.write("0x" + Long.toHexString(a) + "\n");
			}
		}
		try {
			if (!p.waitFor(60, TimeUnit.SECONDS)) {
				p.destroyForcibly();
				throw new IOException(tool + " did not answer within 60 s");
			}
			if (p.exitValue() != 0) {
				throw new IOException(tool + " failed on " + binary + " (status " + p.exitValue() + ")");
			}
			return parse(out.join());
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			p.destroyForcibly();
			throw new IOException("interrupted while waiting for " + tool, e);
		}
	}

	/** Splits addr2line's {@code -a -i -f} output: "0xADDR", then pairs of function and "file:line" lines. */
	static Map<Long, List<String[]>> parse(String output) {
		Map<Long, List<String[]>> m = new LinkedHashMap<>();
		List<String[]> current = null;
		String function = null;
		for (String line : output.split("\n")) {
			if (line.startsWith("0x") && function == null) {
				current = new ArrayList<>();
				m.put(Long.parseUnsignedLong(line.substring(2), 16), current);
			} else if (current != null && function == null) {
				function = line;
			} else if (current != null) {
				String fileLine = line.replaceFirst(" \\(discriminator \\d+\\)$", "").replaceFirst(
						" \\(inlined by\\)$", "");
				int colon = fileLine.lastIndexOf(':');
				String file = colon < 0 ? fileLine : fileLine.substring(0, colon);
				String num = colon < 0 ? "0" : fileLine.substring(colon + 1);
				current.add(new String[] { function, file, num.matches("\\d+") ? num : "0" });
				function = null;
			}
		}
		return m;
	}
}
