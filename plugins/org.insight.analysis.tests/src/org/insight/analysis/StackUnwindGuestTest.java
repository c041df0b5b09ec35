package org.insight.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.insight.analysis.deadlock.DeadlockResult;
import org.insight.analysis.deadlock.Edge;
import org.insight.analysis.deadlock.Finding;
import org.insight.analysis.report.TextReport;
import org.insight.analysis.source.SourceLocation;
import org.insight.testsupport.GuestManifest;
import org.insight.testsupport.KvmRequirement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acquisition stacks of a program built without frame pointers ({@code guest-tests/lockdeep.c}): recorded in
 * {@code locks} mode and analysed on a verified replay, each edge's two stacks must be, frame by frame, the lock call,
 * then middle's, outer's and the thread function's calls, at their {@code MARK} lines. A frame-pointer walk finds
 * none of the callers there; the stacks come from the call frame information ({@code StackUnwinder}).
 */
class StackUnwindGuestTest {
	@TempDir
	Path dir;

	@Test
	void everyFrameOfAProgramWithoutFramePointers() throws IOException {
		KvmRequirement.require();
		SourceMarks src = SourceMarks.of("guest-tests/lockdeep.c");
		for (String libc : GuestManifest.LIBCS) {
			RecordedGuest run = RecordedGuest.of(dir, libc, "lockdeep", List.of(), DeadlockAccuracyGuestTest.CI_SEED);
			StringWriter text = new StringWriter();
			TextReport.write(run.analysis(), new PrintWriter(text));
			String report = text.toString();
			assertEquals(0, run.outcome().exit().status(), libc + ": " + run.outcome().exit());
			DeadlockResult d = run.analysis().deadlocks();
			assertEquals(1, d.findings().size(), libc + ": potential deadlocks\n" + report);
			Finding f = d.findings().get(0);
			for (Edge e : f.edges()) {
				String from = run.analysis().names().of(e.from());
				String thread = from.equals("lock_a") ? "thread-ab" : "thread-ba";
				String what = libc + ": edge " + from + " -> " + run.analysis().names().of(e.to());
				assertEquals(lines(src, "inner-first", thread), lines(run, e.first().fromStack(), src, 4),
						what + ": the held lock's stack\n" + report);
				assertEquals(lines(src, "inner-second", thread), lines(run, e.first().toStack(), src, 4),
						what + ": the wanted lock's stack\n" + report);
			}
		}
	}

	private static List<Integer> lines(SourceMarks src, String lock, String thread) {
		return List.of(src.mark(lock), src.mark("middle"), src.mark("outer"), src.mark(thread));
	}

	/** The lines of the first {@code n} frames' call sites in the marked file (-1 for a frame elsewhere). */
	private static List<Integer> lines(RecordedGuest run, CallStack stack, SourceMarks src, int n) {
		List<Integer> out = new ArrayList<>();
		for (int i = 0; i < Math.min(n, stack.depth()); i++) {
			SourceLocation.Frame top = run.analysis().lines().at(stack.callSite(i)).top();
			boolean here = top.file() != null && Path.of(top.file()).getFileName().toString().equals(src.fileName());
			out.add(here ? top.line() : -1);
		}
		return out;
	}
}
