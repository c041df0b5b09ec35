package org.insight.replay.trace;

import org.insight.vmm.machine.SyncMode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.zip.Deflater;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceRoundTripTest {
	@TempDir
	Path dir;

	@Test
	void eachFrameRoundTripsThroughTheCodecAlone() {
		Set<FrameKind> seen = EnumSet.noneOf(FrameKind.class);
		for (Frame frame : TraceFixtures.everyKind()) {
			FieldWriter w = new FieldWriter(16);
			FrameCodec.encode(frame, w);
			FieldReader r = new FieldReader(w.toByteArray());
			assertEquals(frame, FrameCodec.decode(r));
			assertTrue(r.atEnd(), "decoding " + frame + " left " + (w.size() - r.position()) + " bytes");
			seen.add(frame.kind());
		}
		assertEquals(EnumSet.allOf(FrameKind.class), seen, "the samples must cover every frame kind");
	}

	@Test
	void everyFrameKindRoundTripsThroughAFile() throws IOException {
		List<Frame> frames = TraceFixtures.everyKind();
		Path file = TraceFixtures.write(dir.resolve("every.insight"), frames, TraceFixtures.blocksOf(3));
		try (TraceReader r = TraceReader.open(file)) {
			assertEquals(TraceFixtures.header(), r.header());
			assertEquals(frames, r.readAllFrames());
			assertTrue(r.complete());
			assertEquals(Optional.empty(), r.incompleteReason());
			TraceTrailer t = r.trailer().orElseThrow();
			assertEquals(frames.size(), t.frameCount());
			assertEquals(7, t.blockCount()); // 19 frames, 3 a block
			assertEquals(7, r.blocks().size());
			assertEquals(TraceFixtures.outcome(), t.outcome());
			assertEquals(Files.size(file), r.fileSize());
			assertEquals(Files.size(file), r.readableBytes());
		}
	}

	@Test
	void manyFramesAcrossManyBlocks() throws IOException {
		List<Frame> frames = TraceFixtures.mixed(20_000, 11);
		Path file = TraceFixtures.write(dir.resolve("many.insight"), frames, TraceFixtures.blocksOf(97));
		try (TraceReader r = TraceReader.open(file)) {
			List<TraceReader.Block> blocks = r.blocks();
			assertEquals(207, blocks.size()); // ceil(20000 / 97)
			long next = 0;
			for (TraceReader.Block b : blocks) {
				assertEquals(next, b.firstFrame());
				assertEquals(b.index() == 206 ? 20_000 - 206 * 97 : 97, b.frameCount());
				next += b.frameCount();
			}
			assertEquals(20_000, r.frameCount());
			assertEquals(frames, r.readAllFrames());
			assertEquals(20_000, r.trailer().orElseThrow().frameCount());
		}
	}

	@Test
	void blocksAreCutByEncodedSizeToo() throws IOException {
		List<Frame> frames = TraceFixtures.mixed(3000, 5);
		TraceWriter.Options options = new TraceWriter.Options(1_000_000, 2048, false, Deflater.BEST_SPEED);
		Path file = TraceFixtures.write(dir.resolve("bytes.insight"), frames, options);
		try (TraceReader r = TraceReader.open(file)) {
			TraceStatistics stats = r.trailer().orElseThrow().statistics();
			long blocks = r.blocks().size();
			// Each block is cut at the first frame that reaches 2048 bytes, and no frame here is 200 bytes long.
			assertTrue(blocks >= stats.frameBytes() / (2048 + 200) && blocks <= stats.frameBytes() / 2048 + 1,
					blocks + " blocks for " + stats.frameBytes() + " encoded bytes");
			assertEquals(frames, r.readAllFrames());
		}
	}

	@Test
	void headerWithoutBuildIdOrSeedRoundTrips() throws IOException {
		TraceHeader h = new TraceHeader(Instant.ofEpochSecond(5), new GuestProgram(GuestBinary.of("a.out",
				new byte[] { 1, 2, 3 }, Optional.empty()), List.of(), List.of()), new RecordingConfig(SyncMode.SYSCALLS,
						Duration.ZERO, OptionalLong.empty(), 1L << 20, Duration.ZERO), new HostCpu("", "", -1, -1, -1));
		Path file = dir.resolve("bare.insight");
		try (TraceWriter w = TraceWriter.create(file, h)) {
			w.finish(TraceFixtures.outcome());
		}
		try (TraceReader r = TraceReader.open(file)) {
			assertEquals(h, r.header());
			assertTrue(r.complete());
			assertEquals(List.of(), r.readAllFrames());
			assertEquals(0, r.blocks().size());
		}
	}

	@Test
	void writerStatisticsMatchTheFrames() throws IOException {
		List<Frame> frames = TraceFixtures.everyKind();
		Path file = TraceFixtures.write(dir.resolve("stats.insight"), frames, TraceFixtures.blocksOf(4));
		TraceStatistics s;
		try (TraceReader r = TraceReader.open(file)) {
			s = r.trailer().orElseThrow().statistics();
		}
		assertEquals(2, s.frames(FrameKind.RANDOM));
		assertEquals(3, s.frames(FrameKind.CLOCK));
		assertEquals(3, s.frames(FrameKind.STDIN));
		assertEquals(6, s.frames(FrameKind.SCHEDULE));
		assertEquals(2, s.frames(FrameKind.PREEMPT));
		assertEquals(2, s.frames(FrameKind.IDLE));
		assertEquals(21, s.frames());
		assertEquals(1, s.frames(FrameKind.OUTPUT));
		assertEquals(2, s.frames(FrameKind.TSC));
		assertEquals(1, s.landmarks());
		assertEquals(3, s.choices()); // runnable [1000, 1001] twice and [1001, 1002, 1003]
		assertEquals(5, s.switches()); // all but the yield
		assertEquals(16, s.randomBytes());
		assertEquals(5, s.stdinBytes());
		assertEquals(Set.of(1000, 1001, 1002, 1003, -3).size(), s.threads());
	}

	@Test
	void closingWithoutFinishLeavesAnIncompleteTraceWithEveryFrame() throws IOException {
		List<Frame> frames = TraceFixtures.mixed(250, 3);
		Path file = dir.resolve("cut.insight");
		try (TraceWriter w = TraceWriter.create(file, TraceFixtures.header(), TraceFixtures.blocksOf(100))) {
			frames.forEach(w::append);
		}
		try (TraceReader r = TraceReader.open(file)) {
			assertFalse(r.complete());
			assertEquals(Optional.empty(), r.trailer());
			assertEquals(3, r.blocks().size());
			assertEquals(frames, r.readAllFrames());
			assertEquals("it ends after 3 blocks (250 frames) without a trailer: the recording was cut short",
					r.incompleteReason().orElseThrow());
		}
	}

	@Test
	void onlyWholeBlocksReachTheFileSoACopyTakenMidRecordingReads() throws IOException {
		List<Frame> frames = TraceFixtures.mixed(130, 9);
		Path file = dir.resolve("live.insight");
		try (TraceWriter w = TraceWriter.create(file, TraceFixtures.header(), TraceFixtures.blocksOf(50))) {
			long headerOnly = Files.size(file);
			List<Long> sizes = new ArrayList<>();
			for (int i = 0; i < frames.size(); i++) {
				w.append(frames.get(i));
				sizes.add(Files.size(file));
				if (i == 120) {
					// What kill -9 at this moment would leave: the header and two whole blocks.
					Path copy = Files.copy(file, dir.resolve("killed.insight"));
					try (TraceReader r = TraceReader.open(copy)) {
						assertFalse(r.complete());
						assertEquals(frames.subList(0, 100), r.readAllFrames());
					}
				}
			}
			assertEquals(headerOnly, sizes.get(48), "nothing of a block is written before it is cut");
			assertTrue(sizes.get(49) > headerOnly);
			assertEquals(sizes.get(49), sizes.get(98));
			assertEquals(2, w.blockCount());
		}
	}

	@Test
	void aFinishedWriterRefusesFrames() {
		TraceWriter w = TraceWriter.create(dir.resolve("done.insight"), TraceFixtures.header());
		w.finish(TraceFixtures.outcome());
		IllegalStateException e = assertThrows(IllegalStateException.class,
				() -> w.append(TraceFixtures.everyKind().get(0)));
		assertTrue(e.getMessage().contains("already finished"), e.getMessage());
	}

	@Test
	void anUnwritableTraceGivesAWriteErrorNamingTheFile() {
		Path file = dir.resolve("no-such-dir").resolve("x.insight");
		TraceWriteException e = assertThrows(TraceWriteException.class,
				() -> TraceWriter.create(file, TraceFixtures.header()));
		assertTrue(e.getMessage().startsWith("cannot create the trace of " + file), e.getMessage());
	}
}
