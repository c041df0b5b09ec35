package org.insight.analysis.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.function.BiConsumer;

import org.insight.analysis.AnalysisResult;
import org.insight.analysis.BlockedCall;
import org.insight.analysis.CallStack;
import org.insight.analysis.Event;
import org.insight.analysis.Event.Mode;
import org.insight.analysis.LockRef;
import org.insight.analysis.deadlock.DeadlockAnalyzer;
import org.insight.analysis.deadlock.DeadlockResult;
import org.insight.analysis.deadlock.Edge;
import org.insight.analysis.deadlock.Finding;
import org.insight.analysis.deadlock.Names;
import org.insight.analysis.source.SourceLines;
import org.insight.analysis.source.SourceLocation;
import org.insight.symbols.SymbolTable;
import org.junit.jupiter.api.Test;

/**
 * An actual deadlock on a synthetic run (no machine): the wait-for cycle found among the threads blocked at the end,
 * and its text, JSON and SARIF forms. Threads 2 and 3 each hold one lock and wait for the other's; thread 4 waits for
 * thread 2's lock too but holds nothing anyone waits for (blocked by the cycle, not part of it); threads 5 and 6 share
 * a rwlock for reading, and 6 asks to read it again after 5 read it: readers do not wait for readers.
 */
class ActualDeadlockReportTest {
	private static final LockRef A = new LockRef(0x1000, "mutex");
	private static final LockRef B = new LockRef(0x2000, "mutex");
	private static final LockRef R = new LockRef(0x3000, "rwlock");
	private static final Names NAMES = l -> switch ((int) l.address()) {
	case 0x1000 -> "accounts_lock";
	case 0x2000 -> "audit_lock";
	case 0x3000 -> "table_lock";
	default -> "0x" + Long.toHexString(l.address());
	};

	private static DeadlockResult deadlocked(boolean endedInDeadlock) {
		DeadlockAnalyzer a = new DeadlockAnalyzer(NAMES);
		for (int child = 2; child <= 6; child++) {
			a.accept(new Event.ThreadCreated(child, 0, 1, child));
		}
		a.accept(new Event.LockAcquired(10, 0, 2, A, Mode.EXCLUSIVE, false, CallStack.of(0x401000, 0x400100),
				"pthread_mutex_lock"));
		a.accept(new Event.LockAcquired(11, 0, 3, B, Mode.EXCLUSIVE, false, CallStack.of(0x402000, 0x400100),
				"pthread_mutex_lock"));
		a.accept(new Event.LockAcquired(12, 0, 5, R, Mode.READ, false, CallStack.of(0x405000), "pthread_rwlock_rdlock"));
		if (endedInDeadlock) {
			a.endedInDeadlock(List.of(
					new BlockedCall(20, 2, B, Mode.EXCLUSIVE, CallStack.of(0x401010, 0x400100), "pthread_mutex_lock"),
					new BlockedCall(21, 3, A, Mode.EXCLUSIVE, CallStack.of(0x402010, 0x400100), "pthread_mutex_lock"),
					new BlockedCall(22, 4, A, Mode.EXCLUSIVE, CallStack.of(0x403010), "pthread_mutex_lock"),
					new BlockedCall(23, 6, R, Mode.READ, CallStack.of(0x406010), "pthread_rwlock_rdlock")));
		}
		a.finish();
		return a.result();
	}

	@Test
	void theWaitForCycleIsFoundOnceWithWhatEachThreadHoldsAndWants() {
		DeadlockResult d = deadlocked(true);
		assertEquals(0, d.findings().size());
		assertEquals(1, d.actual().size(), "one cycle: thread 4 and the readers are not in one");
		Finding f = d.actual().get(0);
		assertTrue(f.id().matches("AD-[0-9a-f]{10}"), f.id());
		assertEquals(List.of(A, B), f.locks());
		assertEquals(List.of(2, 3), f.threads());
		Edge ab = f.edges().get(0);
		assertEquals(A, ab.from());
		assertEquals(B, ab.to());
		assertEquals(2, ab.first().tid());
		assertEquals(CallStack.of(0x401000, 0x400100), ab.first().fromStack(), "where thread 2 took accounts_lock");
		assertEquals(CallStack.of(0x401010, 0x400100), ab.first().toStack(), "where thread 2 waits for audit_lock");
		assertEquals(20, ab.first().position());
		Edge ba = f.edges().get(1);
		assertEquals(B, ba.from());
		assertEquals(A, ba.to());
		assertEquals(3, ba.first().tid());
		assertEquals(CallStack.of(0x402010, 0x400100), ba.first().toStack());
		assertEquals(f.id(), deadlocked(true).actual().get(0).id(), "the id is stable");
	}

	@Test
	void aRunThatDidNotEndInDeadlockHasNone() {
		assertEquals(List.of(), deadlocked(false).actual());
	}

	static String report(BiConsumer<AnalysisResult, PrintWriter> writer) {
		List<SourceLocation> lines = List.of(at(0x401000 - 1, "bookkeeper", 22), at(0x401010 - 1, "bookkeeper", 25),
				at(0x402000 - 1, "auditor", 33), at(0x402010 - 1, "auditor", 37));
		AnalysisResult r = new AnalysisResult("/bin/deadlock", "replay verified: 10 frames", List.of("deadlocks/1"),
				List.of("pthread_mutex_lock"), 7, deadlocked(true), NAMES, SourceLines.of(lines, SymbolTable.empty()), null);
		StringWriter w = new StringWriter();
		writer.accept(r, new PrintWriter(w));
		return w.toString();
	}

	private static SourceLocation at(long address, String function, int line) {
		return new SourceLocation(address, List.of(new SourceLocation.Frame(function, "/src/deadlock.c", line)), null);
	}

	@Test
	void theTextReportShowsEachThreadsTwoStacks() {
		String text = report(TextReport::write);
		assertTrue(text.matches("(?s).*Actual deadlock AD-[0-9a-f]{10}: the run ended with threads 2, 3 blocked for"
				+ " ever, each waiting for a lock that the next one holds\n  accounts_lock -> audit_lock ->"
				+ " accounts_lock\n.*"), text);
		assertTrue(text.contains("""
				  Thread 2 holds accounts_lock and waits for audit_lock (since trace frame 20):
				    accounts_lock was acquired (pthread_mutex_lock) at
				      #0 0x401000 in bookkeeper at /src/deadlock.c:22
				"""), text);
		assertTrue(text.contains("""
				    audit_lock is waited for (pthread_mutex_lock) at
				      #0 0x401010 in bookkeeper at /src/deadlock.c:25
				"""), text);
		assertTrue(text.contains("Thread 3 holds audit_lock and waits for accounts_lock"), text);
		assertTrue(text.contains("\n1 actual deadlock: the run ended in it, its threads blocked for ever.\n"
				+ "0 potential deadlocks, 0 cycles filtered out"), text);
	}

	@Test
	void jsonHasTheCycleUnderActual() {
		String json = report(JsonReport::write);
		assertTrue(json.matches("(?s).*\"actual\": \\[\\s*\\{\"id\": \"AD-[0-9a-f]{10}\", \"locks\": \\[\\{\"name\":"
				+ " \"accounts_lock\".*"), json);
		assertTrue(json.contains("\"findings\": [],"), json);
		assertTrue(json.contains("\"file\": \"/src/deadlock.c\", \"line\": 25"), json);
	}

	@Test
	void sarifHasItAsAnErrorOfItsOwnRule() {
		String sarif = report(SarifReport::write);
		assertTrue(sarif.contains("{\"id\": \"" + SarifReport.RULE + "\""), sarif);
		assertTrue(sarif.contains("{\"id\": \"" + SarifReport.ACTUAL_RULE + "\", \"name\": \"ActualDeadlock\""),
				sarif);
		assertTrue(sarif.matches("(?s).*\\{\"ruleId\": \"insight.actual-deadlock\", \"ruleIndex\": 1, \"level\":"
				+ " \"error\", \"message\": \\{\"text\": \"Actual deadlock AD-[0-9a-f]{10}: .*"), sarif);
		assertTrue(sarif.contains("\"uri\": \"file:///src/deadlock.c\"}, \"region\": {\"startLine\": 25}"), sarif);
		assertTrue(sarif.contains("thread 2 waits for audit_lock while holding accounts_lock"), sarif);
	}
}
