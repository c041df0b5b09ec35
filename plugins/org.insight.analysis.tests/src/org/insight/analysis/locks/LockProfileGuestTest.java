package org.insight.analysis.locks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.insight.analysis.AnalysisResult;
import org.insight.analysis.ReplayAnalysis;
import org.insight.analysis.source.SourceLocation;
import org.insight.replay.RecordSession;
import org.insight.replay.ReplayOptions;
import org.insight.replay.VmmLauncher;
import org.insight.replay.trace.GuestBinary;
import org.insight.replay.trace.GuestOutcome;
import org.insight.replay.trace.GuestProgram;
import org.insight.replay.trace.RecordingConfig;
import org.insight.replay.trace.TraceHeader;
import org.insight.symbols.ElfImage;
import org.insight.testsupport.GuestManifest;
import org.insight.testsupport.KvmRequirement;
import org.insight.vmm.GuestRun;
import org.insight.vmm.inputs.LiveInputs;
import org.insight.vmm.inputs.RoundRobin;
import org.insight.vmm.inputs.StdinSource;
import org.insight.vmm.linux.CapturedOutput;
import org.insight.vmm.machine.RunOptions;
import org.insight.vmm.machine.SyncMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lock profile of a real replay against the design of {@code guest-tests/lockprofile.c} (its header comment): a
 * locks-mode recording, analysed with the lock profile alone; exact counts per lock and per acquisition site (each
 * site at its {@code MARK} line), the one contended acquisition, the failed trylock, the read and write holds, the
 * hold at thread exit, a condition wait's retaking of its mutex. Times are measured, never asserted beyond their arithmetic (non-negative, max within total).
 */
class LockProfileGuestTest {
	/** Per recording; system property insight.guestLimitSeconds raises it on a slow (emulated) host. */
	private static final Duration LIMIT = Duration.ofSeconds(Long.getLong("insight.guestLimitSeconds", 120));
	private static final Pattern MARK = Pattern.compile("/\\* MARK ([a-z-]+) \\*/");

	@TempDir
	Path dir;

	@Test
	void glibc() throws IOException {
		check("glibc");
	}

	@Test
	void musl() throws IOException {
		check("musl");
	}

	private void check(String libc) throws IOException {
		KvmRequirement.require();
		Path bin = GuestManifest.binary(libc, "lockprofile");
		Path trace = dir.resolve(libc + ".insight");
		CapturedOutput out = new CapturedOutput();
		GuestOutcome outcome = record(bin, trace, out);
		assertEquals(0, outcome.exit().status(), libc + ": " + outcome.exit().description() + ", stdout "
				+ new String(out.stdout()));
		AnalysisResult r = ReplayAnalysis.run(trace, (fd, data, off, len) -> {
		}, ReplayOptions.onThisHost(), List.of(LockProfileAnalyzer.ID));
		assertNull(r.deadlocks(), "only the lock profile ran");
		assertEquals(List.of("locks/1"), r.analyzers());
		LockProfile p = r.locks();
		Map<String, Integer> mark = marks();
		Map<String, LockProfile.Lock> byName = new HashMap<>();
		for (LockProfile.Lock l : p.locks()) {
			byName.put(r.names().of(l.lock()), l);
			timesAddUp(l.stats(), libc + " " + r.names().of(l.lock()));
			for (LockProfile.Site s : l.sites()) {
				timesAddUp(s.stats(), libc + " " + r.names().of(l.lock()) + " at " + s.returnAddress());
			}
		}
		String where = libc + ": " + byName.keySet();

		LockProfile.Lock held = byName.get("held");
		assertEquals(counts(2, 1, 1, 0), counts(held.stats()), where);
		assertEquals(Map.of(mark.get("main-held"), counts(1, 0, 0, 0), mark.get("blocked"), counts(1, 1, 0, 0), mark
				.get("try"), counts(0, 0, 1, 0)), bySiteLine(r, held), libc + " held");

		LockProfile.Lock counter = byName.get("counter_lock");
		assertEquals(counts(11, 0, 0, 0), counts(counter.stats()), where);
		assertEquals(Map.of(mark.get("count"), counts(10, 0, 0, 0), mark.get("main-count"), counts(1, 0, 0, 0)),
				bySiteLine(r, counter), libc + " counter_lock");

		LockProfile.Lock table = byName.get("table_lock");
		assertEquals("read/write", table.mode(), where);
		assertEquals("rwlock", table.lock().kind());
		assertEquals(counts(3, 0, 0, 0), counts(table.stats()), where);
		assertEquals(Map.of(mark.get("read"), counts(2, 0, 0, 0), mark.get("write"), counts(1, 0, 0, 0)), bySiteLine(
				r, table), libc + " table_lock");

		LockProfile.Lock leaked = byName.get("leaked");
		assertEquals(counts(1, 0, 0, 1), counts(leaked.stats()), where);
		assertEquals(Map.of(mark.get("leak"), counts(1, 0, 0, 1)), bySiteLine(r, leaked), libc + " leaked");

		// a condition wait's retaking of its mutex is an acquisition at the wait's site, with no wait by definition
		LockProfile.Lock cond = byName.get("cond_lock");
		assertEquals(counts(2, 0, 0, 0), counts(cond.stats()), where);
		assertEquals(Map.of(mark.get("cond-lock"), counts(1, 0, 0, 0), mark.get("cond-wait"), counts(1, 0, 0, 0)),
				bySiteLine(r, cond), libc + " cond_lock");
		LockProfile.Site retaken = cond.sites().stream().filter(s -> line(r, s) == mark.get("cond-wait")).findFirst()
				.orElseThrow();
		assertEquals(0, retaken.stats().waitTotal(), libc + " " + retaken);
		assertEquals(2, cond.stats().holds(), "the hold before the wait ended at its entry");

		// blocked()'s wait on main is the program's only contention, libc's own locks included
		assertEquals(1, p.total().contended(), where);
		assertEquals(p.total().acquisitions(), p.locks().stream().mapToLong(l -> l.stats().acquisitions()).sum());
		assertEquals(Column.CONTENDED, p.order());
		assertEquals(held.lock(), p.locks().get(0).lock(), "sorted by contended first");
	}

	/** acquisitions, contended, failed trylocks, held at exit. */
	private static List<Long> counts(long acquisitions, long contended, long failed, long atExit) {
		return List.of(acquisitions, contended, failed, atExit);
	}

	private static List<Long> counts(LockStats s) {
		return counts(s.acquisitions(), s.contended(), s.failedTrylocks(), s.heldAtExit());
	}

	private static void timesAddUp(LockStats s, String what) {
		assertTrue(s.waitTotal() >= 0 && s.holdTotal() >= 0, what + ": " + s);
		assertTrue(s.waitMax() <= s.waitTotal() && s.holdMax() <= s.holdTotal(), what + ": " + s);
		assertTrue(s.waitMean() <= s.waitMax() && s.holdMean() <= s.holdMax(), what + ": " + s);
		assertTrue(s.holds() <= s.acquisitions(), what + ": " + s);
	}

	private static int line(AnalysisResult r, LockProfile.Site s) {
		return r.lines().at(s.stack().callSite(0)).top().line();
	}

	/** Each site's counts by the line of its lock call, which must be in lockprofile.c. */
	private static Map<Integer, List<Long>> bySiteLine(AnalysisResult r, LockProfile.Lock l) {
		Map<Integer, List<Long>> m = new TreeMap<>();
		for (LockProfile.Site s : l.sites()) {
			SourceLocation.Frame f = r.lines().at(s.stack().callSite(0)).top();
			assertTrue(f.file() != null && f.file().endsWith("lockprofile.c"), "site " + f);
			assertNull(m.put(f.line(), counts(s.stats())), "two sites at line " + f.line());
		}
		return m;
	}

	/** The MARK lines of the program's source. */
	private static Map<String, Integer> marks() throws IOException {
		List<String> lines = Files.readAllLines(GuestManifest.root().resolve("guest-tests/lockprofile.c"));
		Map<String, Integer> m = new HashMap<>();
		for (int i = 0; i < lines.size(); i++) {
			Matcher x = MARK.matcher(lines.get(i));
			if (x.find()) {
				m.put(x.group(1), i + 1);
			}
		}
		assertEquals(10, m.size(), "MARK lines: " + m);
		return m;
	}

	/** Records {@code bin} in locks mode with round-robin scheduling. */
	private static GuestOutcome record(Path bin, Path trace, CapturedOutput out) throws IOException {
		List<String> argv = List.of(bin.toString());
		RunOptions options = RunOptions.defaults().withArgv(argv).withEnv(List.of()).withSyncMode(SyncMode.LOCKS);
		ElfImage image = ElfImage.read(bin);
		GuestBinary binary = GuestBinary.of(GuestRun.executablePath(bin), image.bytes(), image.buildId());
		RecordingConfig config = new RecordingConfig(SyncMode.LOCKS, options.timeSlice(), OptionalLong.empty(),
				options.memoryCap(), options.watchdogPeriod());
		TraceHeader header = TraceHeader.forRecording(new GuestProgram(binary, argv, List.of()), config);
		try (LiveInputs live = new LiveInputs(StdinSource.empty(), new RoundRobin(options.timeSlice()));
				RecordSession s = RecordSession.start(trace, header, live, out, new VmmLauncher(LIMIT))) {
			return s.run();
		}
	}
}
