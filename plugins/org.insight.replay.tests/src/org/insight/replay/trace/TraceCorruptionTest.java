package org.insight.replay.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged traces give an error naming the block and its offset, never other frames. */
class TraceCorruptionTest {
	@TempDir
	Path dir;

	private List<Frame> frames;
	private Path trace;
	private List<TraceReader.Block> blocks;

	@BeforeEach
	void record() throws IOException {
		frames = TraceFixtures.mixed(400, 33);
		trace = TraceFixtures.write(dir.resolve("t.insight"), frames, TraceFixtures.blocksOf(40));
		try (TraceReader r = TraceReader.open(trace)) {
			blocks = r.blocks();
		}
	}

	private Path copy(String name) throws IOException {
		return Files.copy(trace, dir.resolve(name));
	}

	@Test
	void aFlippedBitInABlockPayloadNamesTheBlockAndItsOffset() throws IOException {
		for (TraceReader.Block b : blocks) {
			Path p = copy("payload-" + b.index() + ".insight");
			TraceFixtures.flipBit(p, b.offset() + BlockCodec.HEAD_SIZE + (b.size() - BlockCodec.HEAD_SIZE) / 3, 5);
			List<Frame> read = new ArrayList<>();
			try (TraceReader r = TraceReader.open(p)) {
				TraceCorruptException e = assertThrows(TraceCorruptException.class, () -> r.frames().forEach(read::add));
				assertEquals(b.index(), e.blockIndex());
				assertEquals(b.offset(), e.offset());
				assertTrue(e.getMessage().startsWith(p + ": block " + b.index() + " at byte offset " + b.offset()
						+ " is corrupt: payload CRC32C 0x"), e.getMessage());
			}
			assertEquals(frames.subList(0, (int) b.firstFrame()), read, "the frames before the damage still read");
		}
	}

	@Test
	void aFlippedBitInABlockHeadIsFoundWhenTheTraceOpens() throws IOException {
		TraceReader.Block b = blocks.get(4);
		Path p = copy("head.insight");
		TraceFixtures.flipBit(p, b.offset() + 9, 0); // the stored length
		TraceCorruptException e = assertThrows(TraceCorruptException.class, () -> TraceReader.open(p).close());
		assertEquals(4, e.blockIndex());
		assertEquals(b.offset(), e.offset());
		assertTrue(e.getMessage().contains("block 4 at byte offset " + b.offset() + " is corrupt: head CRC32C"),
				e.getMessage());
	}

	@Test
	void aFlippedBitInTheHeaderOrTrailerNamesThem() throws IOException {
		Path header = copy("header.insight");
		TraceFixtures.flipBit(header, 100, 3);
		TraceCorruptException e = assertThrows(TraceCorruptException.class, () -> TraceReader.open(header).close());
		assertEquals(TraceCorruptException.HEADER, e.blockIndex());
		assertTrue(e.getMessage().startsWith(header + ": the header block at byte offset 12 is corrupt"),
				e.getMessage());

		Path trailer = copy("trailer.insight");
		long end = blocks.getLast().offset() + blocks.getLast().size();
		TraceFixtures.flipBit(trailer, end + BlockCodec.HEAD_SIZE + 2, 1);
		e = assertThrows(TraceCorruptException.class, () -> TraceReader.open(trailer).close());
		assertEquals(blocks.size(), e.blockIndex());
		assertTrue(e.getMessage().contains(": the trailer (block 10) at byte offset " + end + " is corrupt"),
				e.getMessage());
	}

	@Test
	void aFlippedBitAtEveryByteOfASmallTraceIsReported() throws IOException {
		Path small = TraceFixtures.write(dir.resolve("small.insight"), TraceFixtures.header(8),
				TraceFixtures.everyKind(), TraceFixtures.blocksOf(5));
		byte[] original = Files.readAllBytes(small);
		// One byte is changed in place and restored, which is much faster than writing a copy per flip.
		try (FileChannel file = FileChannel.open(small, StandardOpenOption.WRITE)) {
			for (int i = 0; i < original.length; i++) {
				int bit = i % 8;
				file.write(ByteBuffer.wrap(new byte[] { (byte) (original[i] ^ (1 << bit)) }), i);
				try (TraceReader r = TraceReader.open(small)) {
					r.readAllFrames();
					fail("bit " + bit + " of byte " + i + " flipped, and the trace still read");
				} catch (TraceException expected) {
					// a corrupt block or a bad preamble, as it must be
				}
				file.write(ByteBuffer.wrap(new byte[] { original[i] }), i);
			}
		}
		assertEquals(TraceFixtures.everyKind(), TraceFixtures.readAll(small), "the file is whole again");
	}

	@Test
	void anotherFileTypeHasABadMagic() throws IOException {
		Path elf = dir.resolve("a.out");
		Files.write(elf, new byte[] { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0 });
		TraceFormatException e = assertThrows(TraceFormatException.class, () -> TraceReader.open(elf).close());
		assertEquals(elf + ": not an InSight trace: it starts with 7f 45 4c 46 02 01 01 00, a trace starts with"
				+ " \"INSIGHT\\0\" (49 4e 53 49 47 48 54 00)", e.getMessage());
	}

	@Test
	void anotherFormatVersionIsRefusedByName() throws IOException {
		Path p = copy("v2.insight");
		byte[] bytes = Files.readAllBytes(p);
		bytes[8] = 2;
		Files.write(p, bytes);
		TraceFormatException e = assertThrows(TraceFormatException.class, () -> TraceReader.open(p).close());
		assertEquals(p + ": trace format version 2, but this InSight reads version 1 only (recorded by a newer"
				+ " InSight)", e.getMessage());
	}

	@Test
	void bytesAfterTheTrailerAreCorruption() throws IOException {
		Path p = copy("tail.insight");
		Files.write(p, new byte[] { 1, 2, 3 }, StandardOpenOption.APPEND);
		TraceCorruptException e = assertThrows(TraceCorruptException.class, () -> TraceReader.open(p).close());
		assertTrue(e.getMessage().endsWith("3 bytes follow it; a trace ends with its trailer"), e.getMessage());
	}

	@Test
	void aRewrittenBlockWithFreshCrcsReadsTheNewValue() throws IOException {
		Path p = copy("edited.insight");
		int index = 0;
		while (!(frames.get(index) instanceof ClockFrame)) {
			index++;
		}
		ClockFrame original = (ClockFrame) frames.get(index);
		TraceFixtures.rewriteFrame(p, index, f -> new ClockFrame(original.question(), original.nanos() + 1));
		try (TraceReader r = TraceReader.open(p)) {
			List<Frame> read = r.readAllFrames();
			assertEquals(original.nanos() + 1, ((ClockFrame) read.get(index)).nanos());
			assertEquals(frames.size(), read.size());
		}
	}
}
