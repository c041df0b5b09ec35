package org.insight.analysis.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

import org.insight.analysis.AnalysisResult;
import org.insight.analysis.CallStack;
import org.insight.analysis.Event;
import org.insight.analysis.Event.Mode;
import org.insight.analysis.LockRef;
import org.insight.analysis.deadlock.Names;
import org.insight.analysis.locks.Column;
import org.insight.analysis.locks.LockProfile;
import org.insight.analysis.locks.LockProfileAnalyzer;
import org.insight.analysis.source.SourceLines;
import org.insight.analysis.source.SourceLocation;
import org.insight.symbols.SymbolTable;
import org.junit.jupiter.api.Test;

/** The lock profile in the text and JSON reports: lock names, sites at file:line, the columns, order and cut. */
class LockProfileReportTest {
	private static final LockRef FORK = new LockRef(0x4c0018, "mutex");
	private static final LockRef TABLE = new LockRef(0x4c0100, "rwlock");
	private static final Names NAMES = l -> l.equals(FORK) ? "forks+24" : "table";

	private static AnalysisResult result() {
		LockProfileAnalyzer a = new LockProfileAnalyzer();
		long p = 0;
		a.accept(new Event.LockRequested(p++, 1000, 1, FORK, Mode.EXCLUSIVE, false, CallStack.of(0x401105),
				"pthread_mutex_lock"));
		a.accept(new Event.LockAcquired(p++, 3000, 1, FORK, Mode.EXCLUSIVE, false, CallStack.of(0x401105),
				"pthread_mutex_lock"));
		a.accept(new Event.LockRequested(p++, 4000, 2, FORK, Mode.EXCLUSIVE, false, CallStack.of(0x402205),
				"pthread_mutex_lock"));
		a.accept(new Event.LockReleased(p++, 9000, 1, FORK, CallStack.of(0x401110), "pthread_mutex_unlock"));
		a.accept(new Event.LockAcquired(p++, 12500, 2, FORK, Mode.EXCLUSIVE, false, CallStack.of(0x402205),
				"pthread_mutex_lock"));
		a.accept(new Event.LockReleased(p++, 13000, 2, FORK, CallStack.of(0x402210), "pthread_mutex_unlock"));
		a.accept(new Event.LockRequested(p++, 14000, 2, TABLE, Mode.READ, false, CallStack.of(0x402305),
				"pthread_rwlock_rdlock"));
		a.accept(new Event.LockAcquired(p++, 14100, 2, TABLE, Mode.READ, false, CallStack.of(0x402305),
				"pthread_rwlock_rdlock"));
		a.accept(new Event.ThreadExited(p++, 20000, 2));
		a.finish();
		List<SourceLocation> lines = List.of(at(0x401104, "philosopher", "/src/forks.c", 12), at(0x402204, "waiter",
				"/src/forks.c", 30), new SourceLocation(0x402304, List.of(new SourceLocation.Frame("reader+0x14", null,
						0)), SourceLines.NO_LINE_HERE));
		return new AnalysisResult("/bin/forks", "replay verified: 9 frames", List.of("locks/1"), List.of(
				"pthread_mutex_lock"), 9, null, NAMES, SourceLines.of(lines, SymbolTable.empty()), a.result());
	}

	private static SourceLocation at(long address, String function, String file, int line) {
		return new SourceLocation(address, List.of(new SourceLocation.Frame(function, file, line)), null);
	}

	private static String text(AnalysisResult r) {
		StringWriter w = new StringWriter();
		TextReport.write(r, new PrintWriter(w));
		return w.toString();
	}

	@Test
	void theTextIsATablePerLockThenPerSite() {
		String t = text(result());
		assertTrue(t.contains("Lock profile: 2 locks, 3 acquisitions, 1 contended, 0 failed trylocks; sorted by"
				+ " contended; times in virtual microseconds"), t);
		List<String> all = t.lines().toList();
		List<String> rows = all.subList(all.indexOf(all.stream().filter(l -> l.startsWith("Lock profile:"))
				.findFirst().orElseThrow()), all.size());
		assertTrue(rows.get(1).startsWith("  lock / acquisition site"), t);
		for (String c : Column.labels()) {
			assertTrue(rows.get(1).contains(c), c + " in " + rows.get(1));
		}
		// forks+24: 2 acquisitions, 1 contended; waits 2 and 8.5 us, holds 6 and 0.5 us
		assertTrue(rows.get(2).matches("  forks\\+24 \\(mutex\\)\\s+exclusive\\s+2\\s+1\\s+0\\s+10\\.50\\s+8\\.50"
				+ "\\s+5\\.25\\s+6\\.50\\s+6\\.00\\s+3\\.25\\s+0"), rows.get(2));
		assertTrue(rows.get(3).matches("    waiter /src/forks.c:30 \\(pthread_mutex_lock\\)\\s+1\\s+1\\s+0"
				+ "\\s+8\\.50.*"), rows.get(3));
		assertTrue(rows.get(4).matches("    philosopher /src/forks.c:12 \\(pthread_mutex_lock\\)\\s+1\\s+0\\s+0"
				+ "\\s+2\\.00.*"), rows.get(4));
		// table: held by thread 2 when it ended, a site without a line shows its function and offset
		assertTrue(rows.get(5).matches("  table \\(rwlock\\)\\s+read\\s+1\\s+0\\s+0\\s+0\\.10\\s+0\\.10\\s+0\\.10"
				+ "\\s+5\\.90\\s+5\\.90\\s+5\\.90\\s+1"), rows.get(5));
		assertTrue(rows.get(6).startsWith("    reader+0x14 (pthread_rwlock_rdlock) "), rows.get(6));
	}

	@Test
	void sortAndTopAreShown() {
		AnalysisResult r = result();
		String t = text(r.withLocks(r.locks().ordered(Column.HELD_AT_EXIT, 1)));
		assertTrue(t.contains("sorted by held-at-exit, the top 1 shown"), t);
		assertTrue(t.contains("  table (rwlock) "), t);
		assertTrue(!t.contains("forks+24"), t);
	}

	@Test
	@SuppressWarnings("unchecked")
	void theJsonHasTheProfileUnderLocks() {
		StringWriter w = new StringWriter();
		JsonReport.write(result(), new PrintWriter(w));
		Map<String, Object> doc = (Map<String, Object>) new MiniJson(w.toString()).value();
		assertEquals((double) JsonReport.VERSION, doc.get("version"));
		assertNull(doc.get("deadlocks"));
		Map<String, Object> locks = (Map<String, Object>) doc.get("locks");
		assertEquals("contended", locks.get("order"));
		assertEquals(0.0, locks.get("top"));
		assertEquals(2.0, locks.get("all"));
		assertEquals(1.0, ((Map<String, Object>) locks.get("total")).get("contended"));
		Map<String, Object> fork = ((List<Map<String, Object>>) locks.get("locks")).get(0);
		assertEquals("forks+24", fork.get("name"));
		assertEquals("0x4c0018", fork.get("address"));
		assertEquals("exclusive", fork.get("mode"));
		Map<String, Object> stats = (Map<String, Object>) fork.get("stats");
		assertEquals(2.0, stats.get("acquisitions"));
		assertEquals(10500.0, stats.get("waitTotalNs"));
		assertEquals(8500.0, stats.get("waitMaxNs"));
		assertEquals(6500.0, stats.get("holdTotalNs"));
		Map<String, Object> site = ((List<Map<String, Object>>) fork.get("sites")).get(0);
		assertEquals("pthread_mutex_lock", site.get("function"));
		Map<String, Object> frame = (Map<String, Object>) site.get("site");
		assertEquals("waiter", frame.get("function"));
		assertEquals("/src/forks.c", frame.get("file"));
		assertEquals(30.0, frame.get("line"));
		assertEquals("0x402205", frame.get("address"));
	}
}
