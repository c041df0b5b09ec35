package org.insight.analysis.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.insight.analysis.AnalysisResult;
import org.insight.analysis.CallStack;
import org.insight.analysis.Event;
import org.insight.analysis.Event.Mode;
import org.insight.analysis.LockRef;
import org.insight.analysis.deadlock.DeadlockAnalyzer;
import org.insight.analysis.deadlock.DeadlockResult;
import org.insight.analysis.deadlock.Names;
import org.insight.analysis.source.SourceLines;
import org.insight.analysis.source.SourceLocation;
import org.insight.symbols.SymbolTable;
import org.junit.jupiter.api.Test;

/**
 * The SARIF report of a synthetic two-lock inversion (plus a filtered single-thread cycle), checked for the properties
 * SARIF 2.1.0 requires and the ones viewers use. {@link SarifValidationTest} validates the same log against the
 * official schema with Microsoft's SARIF Multitool.
 */
class SarifReportTest {
	private static final LockRef A = new LockRef(0x1000, "mutex");
	private static final LockRef B = new LockRef(0x2000, "mutex");
	private static final LockRef C = new LockRef(0x3000, "mutex");
	private static final LockRef D = new LockRef(0x4000, "mutex");
	private static final Names NAMES = l -> switch ((int) l.address()) {
	case 0x1000 -> "a";
	case 0x2000 -> "b";
	case 0x3000 -> "c";
	case 0x4000 -> "d";
	default -> "0x" + Long.toHexString(l.address());
	};

	private final List<Event> events = new ArrayList<>();
	private long pos;

	private void nested(int tid, LockRef first, LockRef second, long site) {
		events.add(new Event.LockAcquired(pos++, 0, tid, first, Mode.EXCLUSIVE, false, CallStack.of(site, 0x400100),
				"pthread_mutex_lock"));
		events.add(new Event.LockAcquired(pos++, 0, tid, second, Mode.EXCLUSIVE, false, CallStack.of(site + 1,
				0x400100), "pthread_mutex_lock"));
		events.add(new Event.LockReleased(pos++, 0, tid, second, CallStack.EMPTY, "pthread_mutex_unlock"));
		events.add(new Event.LockReleased(pos++, 0, tid, first, CallStack.EMPTY, "pthread_mutex_unlock"));
	}

	String sarif() {
		events.add(new Event.ThreadCreated(pos++, 0, 1, 2));
		events.add(new Event.ThreadCreated(pos++, 0, 1, 3));
		nested(2, A, B, 0x401000);
		nested(3, B, A, 0x402000);
		nested(2, C, D, 0x403000); // single-thread cycle: filtered
		nested(2, D, C, 0x404000);
		DeadlockAnalyzer a = new DeadlockAnalyzer(NAMES);
		events.forEach(a::accept);
		a.finish();
		DeadlockResult d = a.result();
		assertEquals(1, d.findings().size());
		assertEquals(1, d.filtered().size());
		List<SourceLocation> lines = List.of(
				at(0x401000 - 1, "worker_a", "/src/my lockorder.c", 20),
				at(0x401001 - 1, "worker_a", "/src/my lockorder.c", 21),
				at(0x402000 - 1, "worker_b", "/src/my lockorder.c", 30),
				at(0x402001 - 1, "worker_b", "/src/my lockorder.c", 31),
				at(0x400100 - 1, "start", "lib/start.c", 5));
		AnalysisResult r = new AnalysisResult("/bin/lockorder", "replay verified: 10 frames", List.of("deadlocks/1"),
				List.of("pthread_mutex_lock"), events.size(), d, NAMES, SourceLines.of(lines, SymbolTable.empty()),
				null);
		StringWriter w = new StringWriter();
		SarifReport.write(r, new PrintWriter(w));
		String out = w.toString();
		String file = System.getProperty("insight.sarifOut");
		if (file != null) {
			try {
				Files.writeString(Path.of(file), out, StandardCharsets.UTF_8);
			} catch (IOException e) {
				throw new AssertionError(e);
			}
		}
		return out;
	}

	private static SourceLocation at(long address, String function, String file, int line) {
		return new SourceLocation(address, List.of(new SourceLocation.Frame(function, file, line)), null);
	}

	@Test
	@SuppressWarnings("unchecked")
	void aPotentialDeadlockIsOneResultWithBothStacksOfEachEdge() {
		Map<String, Object> log = (Map<String, Object>) new MiniJson(sarif()).value();
		assertEquals("2.1.0", log.get("version"));
		assertNotNull(log.get("$schema"));
		List<Object> runs = (List<Object>) log.get("runs");
		assertEquals(1, runs.size());
		Map<String, Object> run = (Map<String, Object>) runs.get(0);
		Map<String, Object> driver = (Map<String, Object>) ((Map<String, Object>) run.get("tool")).get("driver");
		assertEquals("InSight", driver.get("name"));
		assertEquals(SarifReport.TOOL_VERSION, driver.get("version"));
		Map<String, Object> rule = (Map<String, Object>) ((List<Object>) driver.get("rules")).get(0);
		assertEquals(SarifReport.RULE, rule.get("id"));
		for (String k : List.of("shortDescription", "fullDescription", "help")) {
			assertTrue(((Map<String, Object>) rule.get(k)).get("text") instanceof String, k);
		}
		List<Object> results = (List<Object>) run.get("results");
		assertEquals(2, results.size());

		Map<String, Object> deadlock = (Map<String, Object>) results.get(0);
		assertEquals(SarifReport.RULE, deadlock.get("ruleId"));
		assertEquals("warning", deadlock.get("level"));
		String text = (String) ((Map<String, Object>) deadlock.get("message")).get("text");
		assertTrue(text.contains("a -> b -> a") && text.contains("between threads 2, 3"), text);
		assertFalse(deadlock.containsKey("suppressions"));
		Map<String, Object> phys = (Map<String, Object>) ((Map<String, Object>) ((List<Object>) deadlock.get(
				"locations")).get(0)).get("physicalLocation");
		assertEquals("file:///src/my%20lockorder.c", ((Map<String, Object>) phys.get("artifactLocation")).get("uri"));
		assertEquals(21.0, ((Map<String, Object>) phys.get("region")).get("startLine"));
		List<Object> related = (List<Object>) deadlock.get("relatedLocations");
		assertEquals(3, related.size()); // a held by 2, b acquired and held by 3
		Map<String, Object> fp = (Map<String, Object>) deadlock.get("partialFingerprints");
		assertTrue(((String) fp.values().iterator().next()).startsWith("DL-"));
		Map<String, Object> flow = (Map<String, Object>) ((List<Object>) deadlock.get("codeFlows")).get(0);
		List<Object> threadFlows = (List<Object>) flow.get("threadFlows");
		assertEquals(2, threadFlows.size());
		for (Object tf : threadFlows) {
			List<Object> steps = (List<Object>) ((Map<String, Object>) tf).get("locations");
			assertEquals(2, steps.size());
			for (Object s : steps) {
				assertNotNull(((Map<String, Object>) s).get("location"));
				assertEquals(2, ((List<Object>) ((Map<String, Object>) ((Map<String, Object>) s).get("properties"))
						.get("stack")).size());
			}
		}

		Map<String, Object> filtered = (Map<String, Object>) results.get(1);
		Map<String, Object> sup = (Map<String, Object>) ((List<Object>) filtered.get("suppressions")).get(0);
		assertEquals("external", sup.get("kind"));
		assertTrue(((String) sup.get("justification")).startsWith("single-thread cycle"));
		// no line for the filtered cycle's own sites: the innermost caller with one (a relative DWARF name)
		Map<String, Object> loc = (Map<String, Object>) ((List<Object>) filtered.get("locations")).get(0);
		assertEquals("lib/start.c", ((Map<String, Object>) ((Map<String, Object>) loc.get("physicalLocation")).get(
				"artifactLocation")).get("uri"));
	}

	@Test
	void relativeSourceNamesStayRelativeReferences() {
		assertEquals("lib/my%20start.c", SarifReport.uri("lib/my start.c"));
		assertEquals("file:///usr/src/x.c", SarifReport.uri("/usr/src/../src/x.c"));
	}
}
