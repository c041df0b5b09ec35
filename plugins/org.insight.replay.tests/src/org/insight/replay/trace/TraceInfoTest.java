package org.insight.replay.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceInfoTest {
	@TempDir
	Path dir;

	@Test
	void aCompleteTraceShowsHeaderOutcomeAndCounts() throws IOException {
		List<Frame> frames = TraceFixtures.everyKind();
		Path file = TraceFixtures.write(dir.resolve("info.insight"), frames, TraceFixtures.blocksOf(4));
		TraceInfo info = TraceInfo.read(file);
		assertTrue(info.complete());
		assertEquals(6, info.blocks());
		assertEquals(info.trailer().orElseThrow().statistics(), info.statistics(),
				"the reader counts the frames as the writer did");
		List<String> lines = info.lines();
		assertEquals("trace        " + file + " (" + Files.size(file) + " bytes, format version 1)", lines.get(0));
		assertEquals("state        complete", lines.get(1));
		assertTrue(lines.contains("recorded     2023-11-14T22:13:20.123456789Z on AMD EPYC 9B14 (AuthenticAMD"
				+ " family 25 model 17 stepping 1) in " + String.format(java.util.Locale.ROOT, "%.3f s",
						info.trailer().get().recordingTime().toNanos() / 1e9)), lines.toString());
		assertTrue(lines.contains("argv         philosophers 5 'with space'"), lines.toString());
		assertTrue(lines.contains("env          2 variables: LANG=C EMPTY="), lines.toString());
		assertTrue(lines.contains("config       sync mode locks, time slice 10 ms, chaos seed -42, memory cap 1024"
				+ " MiB, watchdog 20 ms"), lines.toString());
		assertTrue(lines.contains("exit         killed by SIGABRT: abort"), lines.toString());
		assertTrue(lines.contains("  sync points       6"), lines.toString());
		assertTrue(lines.contains("  watchdog kicks    2"), lines.toString());
		assertTrue(lines.contains("  %-17s %d".formatted("TSC reads", 2)), lines.toString());
		assertTrue(lines.contains("sync points  6: 3 with a choice of thread, 5 thread switches"), lines.toString());
		assertTrue(lines.contains("landmarks    1 (of 2 watchdog kicks)"), lines.toString());
		assertTrue(lines.stream().anyMatch(l -> l.startsWith("frames       21 in 6 blocks: ")), lines.toString());
		assertTrue(info.bytesPerFrame() > 1 && info.bytesPerFrame() < 100, "bytes per frame " + info.bytesPerFrame());
		assertFalse(info.render().contains("warning"), info.render());
	}

	@Test
	void anIncompleteTraceIsCountedUpToItsLastWholeBlock() throws IOException {
		Path full = TraceFixtures.write(dir.resolve("full.insight"), TraceFixtures.mixed(500, 2),
				TraceFixtures.blocksOf(100));
		long cut;
		try (TraceReader r = TraceReader.open(full)) {
			cut = r.blocks().get(3).offset() + 30;
		}
		TraceInfo info = TraceInfo.read(TraceFixtures.prefix(full, cut, dir));
		assertFalse(info.complete());
		assertEquals(300, info.statistics().frames());
		assertTrue(info.lines().get(1).startsWith("state        INCOMPLETE: it is cut short inside block 3 at byte"
				+ " offset "), info.lines().get(1));
		assertFalse(info.render().contains("exit "), "an incomplete trace has no outcome");
	}

	@Test
	void aCorruptBlockIsReportedWithTheFramesBeforeIt() throws IOException {
		Path file = TraceFixtures.write(dir.resolve("bad.insight"), TraceFixtures.mixed(500, 2),
				TraceFixtures.blocksOf(100));
		long offset;
		try (TraceReader r = TraceReader.open(file)) {
			offset = r.blocks().get(2).offset();
		}
		TraceFixtures.flipBit(file, offset + 40, 2);
		TraceInfo info = TraceInfo.read(file);
		assertFalse(info.complete());
		assertEquals(200, info.statistics().frames());
		assertEquals(2, info.corruption().orElseThrow().blockIndex());
		assertTrue(info.lines().get(1).startsWith("state        CORRUPT: " + file + ": block 2 at byte offset "
				+ offset + " is corrupt"), info.lines().get(1));
	}

	@Test
	void theInterleavingHashTellsSchedulesApart() throws IOException {
		TraceInfo a = TraceInfo.read(TraceFixtures.write(dir.resolve("a.insight"), TraceFixtures.mixed(300, 1),
				TraceFixtures.blocksOf(64)));
		TraceInfo a2 = TraceInfo.read(TraceFixtures.write(dir.resolve("a2.insight"), TraceFixtures.mixed(300, 1),
				TraceFixtures.blocksOf(10)));
		TraceInfo b = TraceInfo.read(TraceFixtures.write(dir.resolve("b.insight"), TraceFixtures.mixed(300, 2),
				TraceFixtures.blocksOf(64)));
		assertEquals(a.statistics().interleavingHash(), a2.statistics().interleavingHash());
		assertNotEquals(a.statistics().interleavingHash(), b.statistics().interleavingHash());
	}
}
