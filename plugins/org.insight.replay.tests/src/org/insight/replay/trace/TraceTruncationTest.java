package org.insight.replay.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A trace cut at any byte reads up to its last whole block and says it is incomplete. */
class TraceTruncationTest {
	@TempDir
	Path dir;

	private List<Frame> frames;
	private Path trace;
	private List<TraceReader.Block> blocks;
	private long trailerOffset;
	private long headerEnd;

	@BeforeEach
	void record() throws IOException {
		frames = TraceFixtures.mixed(1000, 21);
		trace = TraceFixtures.write(dir.resolve("full.insight"), frames, TraceFixtures.blocksOf(50));
		try (TraceReader r = TraceReader.open(trace)) {
			blocks = r.blocks();
			TraceReader.Block last = blocks.getLast();
			trailerOffset = last.offset() + last.size();
			headerEnd = blocks.getFirst().offset();
		}
		assertEquals(20, blocks.size());
	}

	@Test
	void atEveryBlockBoundary() throws IOException {
		for (int i = 0; i <= blocks.size(); i++) {
			long cut = i < blocks.size() ? blocks.get(i).offset() : trailerOffset;
			try (TraceReader r = TraceReader.open(TraceFixtures.prefix(trace, cut, dir))) {
				assertFalse(r.complete(), "cut at block " + i);
				assertEquals(i, r.blocks().size());
				assertEquals(frames.subList(0, i * 50), r.readAllFrames());
				assertEquals(cut, r.readableBytes());
				assertEquals("it ends after " + i + " blocks (" + i * 50
						+ " frames) without a trailer: the recording was cut short", r.incompleteReason().orElseThrow());
			}
		}
	}

	@Test
	void insideEveryBlockHeadAndPayload() throws IOException {
		for (TraceReader.Block b : blocks) {
			int i = (int) b.index();
			for (long cut : new long[] { b.offset() + 1, b.offset() + BlockCodec.HEAD_SIZE - 1,
					b.offset() + BlockCodec.HEAD_SIZE, b.offset() + b.size() / 2, b.offset() + b.size() - 1 }) {
				try (TraceReader r = TraceReader.open(TraceFixtures.prefix(trace, cut, dir))) {
					assertFalse(r.complete());
					assertEquals(frames.subList(0, i * 50), r.readAllFrames(), "cut at byte " + cut);
					assertEquals(b.offset(), r.readableBytes());
					String reason = r.incompleteReason().orElseThrow();
					assertTrue(reason.contains("block " + i + " at byte offset " + b.offset()), reason);
				}
			}
		}
	}

	@Test
	void insideTheTrailer() throws IOException {
		long size = Files.size(trace);
		for (long cut = trailerOffset + 1; cut < size; cut += 7) {
			try (TraceReader r = TraceReader.open(TraceFixtures.prefix(trace, cut, dir))) {
				assertFalse(r.complete());
				assertEquals(1000, r.frameCount());
				assertEquals(frames, r.readAllFrames());
			}
		}
	}

	@Test
	void insideTheHeaderNothingCanBeRead() throws IOException {
		List<Long> cuts = new ArrayList<>(List.of(0L, 1L, 8L, 11L, 12L, 20L, 33L, headerEnd / 2, headerEnd - 1));
		for (long cut : cuts) {
			Path p = TraceFixtures.prefix(trace, cut, dir);
			TraceFormatException e = assertThrows(TraceFormatException.class, () -> TraceReader.open(p).close());
			assertTrue(e.getMessage().startsWith(p + ": cut short inside its header ("), e.getMessage());
			assertEquals(p, e.file());
		}
	}
}
