package org.insight.replay.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import java.util.zip.Deflater;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Traces crafted to be damaged in ways a flipped bit does not reach: every block here has correct CRCs, so only the
 * reader's own checks stand between the bytes and a spin, an allocation of gigabytes or an uncaught exception. Each
 * must be refused quickly with a {@link TraceException} that names the block, its offset and what was wrong.
 */
class DamagedTraceTest {
	private static final Duration QUICK = Duration.ofSeconds(10);

	@TempDir
	Path dir;

	/** Preamble and header block of a valid trace: crafted frame blocks and trailers go after it. */
	private byte[] prefix;

	@BeforeEach
	void valid() throws IOException {
		Path t = TraceFixtures.write(dir.resolve("valid.insight"), TraceFixtures.everyKind(), TraceFixtures.blocksOf(4));
		try (TraceReader r = TraceReader.open(t)) {
			prefix = Arrays.copyOf(Files.readAllBytes(t), (int) r.blocks().getFirst().offset());
		}
	}

	/** A block with this head and stored payload, and CRCs that match both. */
	static byte[] block(byte tag, int frames, int rawLength, byte[] stored) {
		ByteBuffer b = ByteBuffer.allocate(BlockCodec.HEAD_SIZE + stored.length).order(ByteOrder.LITTLE_ENDIAN);
		CRC32C payloadCrc = new CRC32C();
		payloadCrc.update(stored);
		b.put(tag).putInt(frames).putInt(rawLength).putInt(stored.length).putInt((int) payloadCrc.getValue());
		CRC32C headCrc = new CRC32C();
		headCrc.update(b.array(), 0, BlockCodec.HEAD_SIZE - 4);
		b.putInt((int) headCrc.getValue());
		b.put(stored);
		return b.array();
	}

	static byte[] deflate(byte[] raw, byte[] dictionary) {
		Deflater d = new Deflater();
		if (dictionary != null) {
			d.setDictionary(dictionary);
		}
		d.setInput(raw);
		d.finish();
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		byte[] buf = new byte[4096];
		while (!d.finished()) {
			out.write(buf, 0, d.deflate(buf));
		}
		d.end();
		return out.toByteArray();
	}

	private Path file(String name, byte[]... blocks) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write(prefix);
		for (byte[] b : blocks) {
			out.write(b);
		}
		return Files.write(dir.resolve(name), out.toByteArray());
	}

	/** Opens and reads every frame; returns the refusal, which must come quickly. */
	private TraceCorruptException refused(Path p) {
		return assertTimeoutPreemptively(QUICK, () -> assertThrows(TraceCorruptException.class, () -> {
			try (TraceReader r = TraceReader.open(p)) {
				r.readAllFrames();
			}
		}));
	}

	private void assertNamesBlock0(Path p, TraceCorruptException e, String what) {
		assertEquals(0, e.blockIndex());
		assertEquals(prefix.length, e.offset());
		assertTrue(e.getMessage().startsWith(p + ": block 0 at byte offset " + prefix.length + " is corrupt: "),
				e.getMessage());
		assertTrue(e.getMessage().contains(what), e.getMessage());
	}

	/** A raw frame payload: one idle frame (kind 6, tid 1, deadline 5). */
	private static final byte[] IDLE = { 6, 2, 10 };

	@Test
	void aPresetDictionaryIsRefusedNotSpunOn() throws IOException {
		byte[] stored = deflate(IDLE, new byte[] { 1, 2, 3, 4 });
		assertTrue((stored[1] & 0x20) != 0, "the stream names a dictionary");
		Path p = file("dict.insight", block(TraceFormat.TAG_FRAMES, 1, IDLE.length, stored));
		assertNamesBlock0(p, refused(p), "preset dictionary");
	}

	@Test
	void aRawLengthTheStoredBytesCannotHoldIsRefusedBeforeAnyAllocation() throws IOException {
		byte[] stored = deflate(IDLE, null);
		Path p = file("raw.insight", block(TraceFormat.TAG_FRAMES, 1, 60 << 20, stored));
		TraceCorruptException e = assertThrows(TraceCorruptException.class, () -> TraceReader.open(p).close());
		assertNamesBlock0(p, e, "head says " + (60 << 20) + " raw bytes, more than its " + stored.length
				+ " stored bytes can inflate to");
	}

	@Test
	void moreFramesThanTheRawBytesCanHoldAreRefused() throws IOException {
		Path p = file("frames.insight", block(TraceFormat.TAG_FRAMES, 1 << 20, IDLE.length, deflate(IDLE, null)));
		TraceCorruptException e = assertThrows(TraceCorruptException.class, () -> TraceReader.open(p).close());
		assertNamesBlock0(p, e, "head says 1048576 frames in 3 raw bytes");
	}

	@Test
	void aBlockOverTheFormatsLimitIsRefused() throws IOException {
		Path p = file("limit.insight", block(TraceFormat.TAG_FRAMES, 1, TraceFormat.MAX_BLOCK_BYTES + 1,
				new byte[100_000]));
		TraceCorruptException e = assertThrows(TraceCorruptException.class, () -> TraceReader.open(p).close());
		assertNamesBlock0(p, e, "impossible sizes");
	}

	@Test
	void aStreamThatStopsShortOrRunsLongIsNamed() throws IOException {
		byte[] stored = deflate(IDLE, null);
		Path cut = file("cut.insight", block(TraceFormat.TAG_FRAMES, 1, IDLE.length, Arrays.copyOf(stored,
				stored.length - 5)));
		assertNamesBlock0(cut, refused(cut), "unfinished zlib stream");
		byte[] twice = deflate(new byte[] { 6, 2, 10, 6, 2, 10 }, null);
		Path longer = file("long.insight", block(TraceFormat.TAG_FRAMES, 1, IDLE.length, twice));
		assertNamesBlock0(longer, refused(longer), "more than the 3 bytes the head says");
		Path shorter = file("short.insight", block(TraceFormat.TAG_FRAMES, 1, 6, stored));
		assertNamesBlock0(shorter, refused(shorter), "payload inflates to 3 bytes, the head says 6");
		Path garbage = file("garbage.insight", block(TraceFormat.TAG_FRAMES, 1, 3, new byte[] { 1, 2, 3, 4 }));
		assertNamesBlock0(garbage, refused(garbage), "does not inflate");
	}

	@Test
	void aCountLargerThanThePayloadIsAFieldErrorWithItsFrame() throws IOException {
		// A schedule frame whose runnable list claims 60000 tids in a few bytes.
		byte[] raw = { 4, 2, 0, 0, 0, 0, (byte) 0xe0, (byte) 0xd4, 0x03, 2 };
		Path p = file("count.insight", block(TraceFormat.TAG_FRAMES, 1, raw.length, deflate(raw, null)));
		assertNamesBlock0(p, refused(p), "frame 0 at raw byte 6: runnable thread count 60000 is more than the 1"
				+ " bytes left in the payload");
	}

	/** The header payload of a valid trace, decoded, changed by {@code edit} and put in a fresh header block. */
	private Path withHeader(String name, java.util.function.Consumer<FieldWriter> first,
			java.util.function.UnaryOperator<RecordingConfig> config) throws IOException {
		TraceHeader h = TraceFixtures.header();
		FieldWriter w = new FieldWriter(1024);
		HeaderCodec.encodeHeader(new TraceHeader(h.recordedAt(), h.program(), config.apply(h.config()),
				h.hostCpu()), w);
		byte[] raw = w.toByteArray();
		FieldReader r = new FieldReader(raw);
		r.signed();
		FieldWriter edited = new FieldWriter(1024);
		first.accept(edited);
		edited.raw(raw, r.position(), raw.length - r.position());
		byte[] payload = edited.toByteArray();
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write(prefix, 0, TraceFormat.PREAMBLE_SIZE);
		out.write(block(TraceFormat.TAG_HEADER, 0, payload.length, deflate(payload, null)));
		return Files.write(dir.resolve(name), out.toByteArray());
	}

	@Test
	void aTimestampNoClockCanShowIsACorruptHeaderNotACrash() throws IOException {
		for (long seconds : new long[] { Long.MAX_VALUE, Long.MIN_VALUE, 31556889864403200L }) {
			Path p = withHeader("time.insight", w -> w.signed(seconds), c -> c);
			TraceCorruptException e = assertThrows(TraceCorruptException.class, () -> TraceReader.open(p).close());
			assertEquals(TraceCorruptException.HEADER, e.blockIndex());
			assertTrue(e.getMessage().startsWith(p + ": the header block at byte offset 12 is corrupt: field at raw"
					+ " byte 0: recording time " + seconds + " seconds since 1970 is outside"), e.getMessage());
			Files.delete(p);
		}
	}

	@Test
	void aMemoryCapNoMachineCanHaveIsACorruptHeader() throws IOException {
		TraceHeader h = TraceFixtures.header();
		Path p = withHeader("cap.insight", w -> w.signed(h.recordedAt().getEpochSecond()),
				c -> new RecordingConfig(c.syncMode(), c.timeSlice(), c.chaosSeed(), 1L << 50, c.watchdogPeriod()));
		TraceCorruptException e = assertThrows(TraceCorruptException.class, () -> TraceReader.open(p).close());
		assertTrue(e.getMessage().contains("memory cap 1125899906842624 bytes out of range"), e.getMessage());
	}

	@Test
	void aHeaderBlockCannotAskForMoreThanItsBytesHold() throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write(prefix, 0, TraceFormat.PREAMBLE_SIZE);
		out.write(block(TraceFormat.TAG_HEADER, 0, 1 << 30, new byte[16]));
		Path p = Files.write(dir.resolve("bighead.insight"), out.toByteArray());
		TraceCorruptException e = assertThrows(TraceCorruptException.class, () -> TraceReader.open(p).close());
		assertTrue(e.getMessage().startsWith(p + ": the header block at byte offset 12 is corrupt: head says "
				+ (1 << 30) + " raw bytes, more than its 16 stored bytes can inflate to"), e.getMessage());
	}

	@Test
	void theThreadLimitRoundTripsAndAnOldHeaderWithoutItHasTheDefault() throws IOException {
		TraceHeader h = TraceFixtures.header();
		TraceHeader four = new TraceHeader(h.recordedAt(), h.program(), h.config().withMaxThreads(4), h.hostCpu());
		Path p = TraceFixtures.write(dir.resolve("four.insight"), four, TraceFixtures.everyKind(),
				TraceFixtures.blocksOf(4));
		try (TraceReader r = TraceReader.open(p)) {
			assertEquals(four, r.header());
			assertEquals(4, r.header().config().maxThreads());
		}
		FieldWriter w = new FieldWriter(1024);
		HeaderCodec.encodeHeader(h, w);
		byte[] raw = w.toByteArray();
		assertEquals(1024, h.config().maxThreads());
		// 1024 is the two-byte varint 80 08, followed by the (later) provided-files field, 00 00 when empty, the
		// (later still) guest-CPUID field, 00 when absent, and the lock-call countdown rule, one byte
		byte[] old = Arrays.copyOf(raw, raw.length - 2 - 2 - 1 - 1);
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write(prefix, 0, TraceFormat.PREAMBLE_SIZE);
		out.write(block(TraceFormat.TAG_HEADER, 0, old.length, deflate(old, null)));
		Path oldFile = Files.write(dir.resolve("old.insight"), out.toByteArray());
		RecordingConfig c = h.config();
		TraceHeader everyCall = new TraceHeader(h.recordedAt(), h.program(), new RecordingConfig(c.syncMode(),
				c.timeSlice(), c.chaosSeed(), c.memoryCapBytes(), c.watchdogPeriod(), c.maxThreads(), c.guestCpuid(),
				org.insight.vmm.inputs.LockCallCountdown.EVERY_CALL), h.hostCpu());
		try (TraceReader r = TraceReader.open(oldFile)) {
			assertEquals(everyCall, r.header(), "an old header: every lock call was a sync point");
		}
	}

	/**
	 * Thousands of random changes of a small trace (bytes overwritten, inserted, removed, the file cut), each with
	 * its CRCs left stale or made fresh: every one reads, or is refused with a TraceException, in bounded time.
	 */
	@Test
	void randomDamageIsAlwaysATraceExceptionOrAWholeRead() throws IOException {
		Path small = TraceFixtures.write(dir.resolve("small.insight"), TraceFixtures.header(64),
				TraceFixtures.everyKind(), TraceFixtures.blocksOf(3));
		byte[] original = Files.readAllBytes(small);
		Random random = new Random(12);
		Path p = dir.resolve("mutant.insight");
		int refusedCount = 0;
		for (int i = 0; i < 3000; i++) {
			byte[] b = mutate(original, random);
			Files.write(p, b);
			try {
				assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
					try (TraceReader r = TraceReader.open(p)) {
						r.readAllFrames();
						TraceInfo.read(p).render();
					}
				}, "mutant " + i);
			} catch (TraceException expected) {
				refusedCount++;
			}
		}
		assertTrue(refusedCount > 1000, refusedCount + " of 3000 refused");
	}

	private static byte[] mutate(byte[] original, Random r) {
		byte[] b = original.clone();
		switch (r.nextInt(4)) {
		case 0 -> {
			for (int k = 1 + r.nextInt(4); k > 0; k--) {
				b[r.nextInt(b.length)] = (byte) r.nextInt(256);
			}
		}
		case 1 -> b = Arrays.copyOf(b, r.nextInt(b.length));
		case 2 -> {
			int at = r.nextInt(b.length);
			byte[] out = new byte[b.length + 1];
			System.arraycopy(b, 0, out, 0, at);
			out[at] = (byte) r.nextInt(256);
			System.arraycopy(b, at, out, at + 1, b.length - at);
			b = out;
		}
		default -> {
			// a head field changed and the head's CRC made fresh, so only the reader's checks catch it
			List<Integer> heads = headOffsets(b);
			int h = heads.get(r.nextInt(heads.size()));
			ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
			int field = 1 + 4 * r.nextInt(3);
			int v = switch (r.nextInt(3)) {
			case 0 -> r.nextInt();
			case 1 -> bb.getInt(h + field) + r.nextInt(9) - 4;
			default -> 1 << r.nextInt(31);
			};
			bb.putInt(h + field, v);
			CRC32C c = new CRC32C();
			c.update(b, h, BlockCodec.HEAD_SIZE - 4);
			bb.putInt(h + BlockCodec.HEAD_SIZE - 4, (int) c.getValue());
		}
		}
		return b;
	}

	private static List<Integer> headOffsets(byte[] b) {
		List<Integer> heads = new java.util.ArrayList<>();
		int at = TraceFormat.PREAMBLE_SIZE;
		ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
		while (at + BlockCodec.HEAD_SIZE <= b.length) {
			heads.add(at);
			at += BlockCodec.HEAD_SIZE + bb.getInt(at + 9);
		}
		return heads;
	}
}
