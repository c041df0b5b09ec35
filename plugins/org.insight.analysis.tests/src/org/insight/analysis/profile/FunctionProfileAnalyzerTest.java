package org.insight.analysis.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

import org.insight.analysis.Event;
import org.insight.analysis.Event.FrameEnd;
import org.junit.jupiter.api.Test;

/** Calls, self and inclusive time, edges and paths from balanced function events. */
class FunctionProfileAnalyzerTest {
	static final long MAIN = 0x401000, FIB = 0x401100, A = 0x401200, B = 0x401300;
	final FunctionProfileAnalyzer analyzer = new FunctionProfileAnalyzer(Map.of(MAIN, "main", FIB, "fib", A, "a", B,
			"b"));

	void enter(int tid, long f, long t) {
		analyzer.accept(new Event.FunctionEntered(0, tid, f, t));
	}

	void exit(int tid, long f, long t, FrameEnd how) {
		analyzer.accept(new Event.FunctionExited(0, tid, f, t, how));
	}

	void exit(int tid, long f, long t) {
		exit(tid, f, t, FrameEnd.RETURNED);
	}

	FunctionProfile.Function fn(FunctionProfile p, long address) {
		return p.functions().stream().filter(f -> f.address() == address).findFirst().orElseThrow();
	}

	FunctionProfile.CallEdge edge(FunctionProfile p, long caller, long callee) {
		return p.edges().stream().filter(e -> e.caller() == caller && e.callee() == callee).findFirst().orElseThrow();
	}

	@Test
	void recursionCountsEveryCallAndItsInclusiveTimeOnce() {
		enter(1, MAIN, 0);
		enter(1, FIB, 10); // fib(2)
		enter(1, FIB, 12); // fib(1)
		exit(1, FIB, 15);
		enter(1, FIB, 16); // fib(0)
		exit(1, FIB, 18);
		exit(1, FIB, 30);
		exit(1, MAIN, 40);
		analyzer.finish();
		FunctionProfile p = analyzer.result();
		assertEquals(new FunctionProfile.Function(FIB, 3, 2, 20 - 5 + 3 + 2, 20, 0), fn(p, FIB));
		assertEquals(new FunctionProfile.Function(MAIN, 1, 0, 20, 40, 0), fn(p, MAIN));
		assertEquals(40, p.totalNanos());
		assertEquals(new FunctionProfile.CallEdge(FIB, FIB, 2, 5, 5, 2), edge(p, FIB, FIB));
		assertEquals(new FunctionProfile.CallEdge(MAIN, FIB, 1, 15, 20, 3), edge(p, MAIN, FIB));
		assertEquals(new FunctionProfile.CallEdge(FunctionProfile.ROOT, MAIN, 1, 20, 40, 4), edge(p,
				FunctionProfile.ROOT, MAIN));
		// the paths fold recursion: fib's three frames are one path
		assertEquals(List.of(List.of(MAIN), List.of(MAIN, FIB)), p.paths().stream().map(
				FunctionProfile.CallPath::functions).toList());
		assertEquals(List.of(1L, 3L), p.paths().stream().map(FunctionProfile.CallPath::calls).toList());
		assertEquals(List.of(20L, 20L), p.paths().stream().map(FunctionProfile.CallPath::selfNanos).toList());
		assertEquals("main", p.name(MAIN));
		assertEquals("<spontaneous>", p.name(FunctionProfile.ROOT));
	}

	@Test
	void deepMutualRecursionMakesBoundedPaths() {
		int depth = 200_000;
		enter(1, MAIN, 0);
		for (int i = 0; i < depth; i++) {
			enter(1, i % 2 == 0 ? A : B, 1 + i);
		}
		for (int i = depth - 1; i >= 0; i--) {
			exit(1, i % 2 == 0 ? A : B, 2L * depth - i);
		}
		exit(1, MAIN, 3L * depth);
		analyzer.finish();
		FunctionProfile p = analyzer.result();
		assertEquals(List.of(List.of(MAIN), List.of(MAIN, A), List.of(MAIN, A, B)), p.paths().stream().map(
				FunctionProfile.CallPath::functions).toList());
		assertEquals(List.of(1L, depth / 2L, depth / 2L), p.paths().stream().map(FunctionProfile.CallPath::calls)
				.toList());
		assertEquals(depth / 2 - 1, edge(p, B, A).calls());
		assertEquals(depth / 2, edge(p, A, B).calls());
	}

	@Test
	void aTailCalleeIsItsJumpersCalleeAndTheJumperEndsWithIt() {
		enter(1, MAIN, 0);
		enter(1, A, 10);
		exit(1, A, 14, FrameEnd.TAIL_CALLED);
		enter(1, B, 14);
		exit(1, B, 20);
		exit(1, MAIN, 25);
		analyzer.finish();
		FunctionProfile p = analyzer.result();
		assertEquals(new FunctionProfile.Function(A, 1, 0, 4, 10, 0), fn(p, A));
		assertEquals(new FunctionProfile.Function(B, 1, 0, 6, 6, 0), fn(p, B));
		assertEquals(new FunctionProfile.Function(MAIN, 1, 0, 15, 25, 0), fn(p, MAIN));
		assertEquals(1, edge(p, A, B).calls());
		assertEquals(List.of(List.of(MAIN), List.of(MAIN, A), List.of(MAIN, A, B)), p.paths().stream().map(
				FunctionProfile.CallPath::functions).toList());
	}

	@Test
	void framesEndedWithoutTheirReturnAreCountedAsSuch() {
		enter(2, A, 0);
		enter(2, B, 1);
		exit(2, B, 5, FrameEnd.UNWOUND);
		exit(2, A, 9, FrameEnd.THREAD_EXITED);
		enter(1, MAIN, 0);
		exit(1, MAIN, 3, FrameEnd.RUN_ENDED);
		analyzer.finish();
		FunctionProfile p = analyzer.result();
		assertEquals(1, fn(p, A).unreturned());
		assertEquals(1, fn(p, B).unreturned());
		assertEquals(1, fn(p, MAIN).unreturned());
		assertEquals(2, p.threads());
		assertEquals(12, p.totalNanos());
	}

	@Test
	void unbalancedEventsAreRefused() {
		enter(1, MAIN, 0);
		assertThrows(IllegalStateException.class, () -> exit(1, A, 1));
		assertThrows(IllegalStateException.class, analyzer::finish);
	}
}
