package org.insight.analysis.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.insight.analysis.Event;
import org.insight.analysis.Event.FrameEnd;
import org.insight.analysis.profile.FunctionProfile;
import org.insight.analysis.profile.FunctionProfileAnalyzer;
import org.insight.analysis.source.SourceLines;
import org.insight.analysis.source.SourceLocation;
import org.insight.symbols.Symbol;
import org.insight.symbols.SymbolTable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The function profile's writers: callgrind.out parsed back (and read by callgrind_annotate where installed), folded stacks, gprof-style text, JSON. */
class ProfileWritersTest {
	static final long MAIN = 0x401000, FIB = 0x401100, MEMCPY = 0x402000;

	/** main calls fib(2) (fib 3 times) and memcpy, whose code has no lines. */
	static FunctionProfile profile() {
		FunctionProfileAnalyzer a = new FunctionProfileAnalyzer(Map.of(MAIN, "main", FIB, "fib", MEMCPY, "memcpy"));
		a.accept(new Event.FunctionEntered(0, 1, MAIN, 0));
		a.accept(new Event.FunctionEntered(0, 1, FIB, 10));
		a.accept(new Event.FunctionEntered(0, 1, FIB, 12));
		a.accept(new Event.FunctionExited(0, 1, FIB, 15, FrameEnd.RETURNED));
		a.accept(new Event.FunctionEntered(0, 1, FIB, 16));
		a.accept(new Event.FunctionExited(0, 1, FIB, 18, FrameEnd.RETURNED));
		a.accept(new Event.FunctionExited(0, 1, FIB, 30, FrameEnd.RETURNED));
		a.accept(new Event.FunctionEntered(0, 1, MEMCPY, 31));
		a.accept(new Event.FunctionExited(0, 1, MEMCPY, 35, FrameEnd.RETURNED));
		a.accept(new Event.FunctionExited(0, 1, MAIN, 40, FrameEnd.RUN_ENDED));
		a.finish();
		return a.result();
	}

	static SourceLines lines() {
		SymbolTable symbols = SymbolTable.of(List.of(new Symbol("main", MAIN, 0x100, true), new Symbol("fib", FIB,
				0x100, true), new Symbol("memcpy", MEMCPY, 0x100, true)));
		return SourceLines.of(List.of(
				new SourceLocation(MAIN, List.of(new SourceLocation.Frame("main", "/src/calls.c", 90)), null),
				new SourceLocation(FIB, List.of(new SourceLocation.Frame("fib", "/src/calls.c", 27)), null)),
				symbols);
	}

	static String write(java.util.function.Consumer<PrintWriter> w) {
		StringWriter s = new StringWriter();
		w.accept(new PrintWriter(s));
		return s.toString();
	}

	/** Per function: its file, its self cost line, its calls (callee to count and inclusive cost). */
	record Parsed(Map<String, String> headers, Map<String, String> fileOf, Map<String, long[]> self,
			Map<String, Map<String, long[]>> calls) {
	}

	/** Reads a callgrind.out back as its format says (name compression included). */
	static Parsed parse(String text) {
		Map<String, String> headers = new LinkedHashMap<>();
		Map<String, String> fileNames = new HashMap<>(), fnNames = new HashMap<>();
		Map<String, String> fileOf = new LinkedHashMap<>();
		Map<String, long[]> self = new LinkedHashMap<>();
		Map<String, Map<String, long[]>> calls = new LinkedHashMap<>();
		String fl = null, fn = null, cfn = null;
		long pendingCalls = -1;
		for (String line : text.split("\n")) {
			if (line.isBlank() || line.startsWith("#")) {
				continue;
			}
			if (line.startsWith("fl=")) {
				fl = name(fileNames, line.substring(3));
			} else if (line.startsWith("fn=")) {
				fn = name(fnNames, line.substring(3));
				fileOf.put(fn, fl);
			} else if (line.startsWith("cfi=") || line.startsWith("cfl=")) {
				name(fileNames, line.substring(4));
			} else if (line.startsWith("cfn=")) {
				cfn = name(fnNames, line.substring(4));
			} else if (line.startsWith("calls=")) {
				pendingCalls = Long.parseLong(line.substring(6).split(" ")[0]);
			} else if (Character.isDigit(line.charAt(0))) {
				String[] f = line.split(" ");
				long[] cost = { Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]) };
				if (pendingCalls >= 0) {
					calls.computeIfAbsent(fn, k -> new LinkedHashMap<>()).put(cfn, new long[] { pendingCalls, cost[1],
							cost[2] });
					pendingCalls = -1;
				} else {
					self.put(fn, cost);
				}
			} else {
				int colon = line.indexOf(':');
				headers.merge(line.substring(0, colon), line.substring(colon + 1).strip(), (x, y) -> x + "\n" + y);
			}
		}
		return new Parsed(headers, fileOf, self, calls);
	}

	private static String name(Map<String, String> ids, String v) {
		int close = v.indexOf(')');
		String id = v.substring(1, close);
		if (close + 1 < v.length()) {
			ids.put(id, v.substring(close + 2));
		}
		return ids.get(id);
	}

	@Test
	void callgrindOutReadsBackWithEveryCountAndCost() {
		String text = write(out -> CallgrindWriter.write(profile(), lines(), "/bin/calls", out));
		assertTrue(text.startsWith("# callgrind format\nversion: 1\n"), text);
		Parsed p = parse(text);
		assertEquals("/bin/calls", p.headers().get("cmd"));
		assertEquals("vns Entries", p.headers().get("events"));
		assertEquals("line", p.headers().get("positions"));
		assertEquals("40 5", p.headers().get("summary"));
		assertEquals("40 5", p.headers().get("totals"));
		assertEquals("/src/calls.c", p.fileOf().get("fib"));
		assertEquals("???", p.fileOf().get("memcpy"));
		// self: line, virtual ns, entries (the exact call count)
		assertEquals(List.of(27L, 20L - 5 + 3 + 2, 3L), List.of(p.self().get("fib")[0], p.self().get("fib")[1], p
				.self().get("fib")[2]));
		assertEquals(List.of(90L, 16L, 1L), List.of(p.self().get("main")[0], p.self().get("main")[1], p.self().get(
				"main")[2]));
		assertEquals(List.of(0L, 4L, 1L), List.of(p.self().get("memcpy")[0], p.self().get("memcpy")[1], p.self().get(
				"memcpy")[2]));
		// calls: count, inclusive ns, inclusive entries
		long[] mainFib = p.calls().get("main").get("fib");
		assertEquals(List.of(1L, 20L, 3L), List.of(mainFib[0], mainFib[1], mainFib[2]));
		long[] fibFib = p.calls().get("fib").get("fib");
		assertEquals(List.of(2L, 5L, 2L), List.of(fibFib[0], fibFib[1], fibFib[2]));
		long[] mainMemcpy = p.calls().get("main").get("memcpy");
		assertEquals(List.of(1L, 4L, 1L), List.of(mainMemcpy[0], mainMemcpy[1], mainMemcpy[2]));
	}

	/** Valgrind's own reader, where it is installed: it must take the file and show each function's entries. */
	@Test
	void callgrindAnnotateReadsIt(@TempDir Path dir) throws IOException, InterruptedException {
		Path out = dir.resolve("callgrind.out.1");
		Files.writeString(out, write(w -> CallgrindWriter.write(profile(), lines(), "/bin/calls", w)));
		Process p;
		try {
			p = new ProcessBuilder("callgrind_annotate", "--inclusive=no", out.toString()).redirectErrorStream(true)
					.start();
		} catch (IOException notInstalled) {
			Assumptions.abort("callgrind_annotate (valgrind) is not installed");
			return;
		}
		String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertTrue(p.waitFor(60, TimeUnit.SECONDS));
		assertEquals(0, p.exitValue(), text);
		assertTrue(text.matches("(?s).*\\b40 \\(100\\.0%\\)\\s+5 \\(100\\.0%\\)\\s+PROGRAM TOTALS.*"), text);
		assertTrue(text.matches("(?s).*\\b20 \\(50\\.00%\\)\\s+3 \\([ 0-9.]+%\\)\\s+/src/calls.c:fib\\b.*"), text);
	}

	@Test
	void foldedStacksAreOnePathALine() {
		assertEquals(List.of("main 16", "main;fib 20", "main;memcpy 4"), FoldedStacks.lines(
				profile(), FoldedStacks.Metric.TIME));
		assertEquals(List.of("main 1", "main;fib 3", "main;memcpy 1"), FoldedStacks.lines(profile(),
				FoldedStacks.Metric.CALLS));
	}

	@Test
	void textIsAFlatProfileThenACallGraph() {
		String text = write(out -> ProfileTextReport.write(profile(), lines(), out));
		assertTrue(text.contains("Flat profile:"), text);
		// by self time: fib 20 ns of 40, 3 calls
		assertTrue(text.matches("(?s).*\\n\\s+50\\.00\\s+0\\.000\\s+0\\.000\\s+3\\s+0\\.01\\s+0\\.01  fib \\(calls.c:27\\)\\n.*"),
				text);
		assertTrue(text.contains("Call graph:"), text);
		assertTrue(text.matches("(?s).*\\n\\[2\\]\\s+50\\.0\\s+0\\.000\\s+0\\.000\\s+1\\+2\\s+fib \\[2\\] \\(calls.c:27\\)\\n.*"),
				text);
		assertTrue(text.matches("(?s).*\\s+1/3\\s+main \\[1\\]\\n.*"), text);
		assertTrue(text.matches("(?s).*\\s+2/3\\s+fib \\[2\\]\\n.*"), text);
		assertTrue(text.contains("main: 1 of 1"), text);
	}

	@Test
	void jsonHasEveryFunctionWithItsLine() {
		String json = ProfileJson.of(profile(), lines());
		assertTrue(json.contains("{\"name\": \"fib\", \"address\": \"0x401100\", \"file\": \"/src/calls.c\", "
				+ "\"line\": 27, \"calls\": 3, \"recursiveCalls\": 2, \"selfNanos\": 20, \"inclusiveNanos\": 20, "
				+ "\"unreturned\": 0}"), json);
		assertTrue(json.contains("{\"caller\": null, \"callee\": \"main\", \"calls\": 1"), json);
		assertTrue(json.contains("{\"stack\": [\"main\", \"fib\"], \"calls\": 3, \"selfNanos\": 20}"), json);
	}
}
