package org.insight.replay.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.insight.vmm.linux.fd.ProvidedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProvidedFilesCodecTest {
	@TempDir
	Path dir;

	private static final byte[] SAME = "same contents\n".getBytes(StandardCharsets.US_ASCII);

	private static ProvidedFiles files() {
		return ProvidedFiles.of(List.of(new ProvidedFiles.Entry("/data/a.txt", 3, SAME),
				new ProvidedFiles.Entry("/data/copy.txt", -5, SAME.clone()),
				new ProvidedFiles.Entry("/data/empty", 7, null)));
	}

	private static TraceHeader withFiles(ProvidedFiles f) {
		TraceHeader h = TraceFixtures.header();
		GuestProgram p = h.program();
		return new TraceHeader(h.recordedAt(), new GuestProgram(p.binary(), p.argv(), p.env(), f), h.config(),
				h.hostCpu());
	}

	private static byte[] encodeFiles(ProvidedFiles f) {
		FieldWriter w = new FieldWriter(256);
		ProvidedFilesCodec.encode(f, w);
		return w.toByteArray();
	}

	@Test
	void filesRoundTripThroughATraceAndEqualContentsAreStoredOnce() throws IOException {
		TraceHeader h = withFiles(files());
		Path p = TraceFixtures.write(dir.resolve("files.insight"), h, TraceFixtures.everyKind(),
				TraceFixtures.blocksOf(4));
		try (TraceReader r = TraceReader.open(p)) {
			assertEquals(h, r.header());
			assertEquals(files(), r.header().program().files());
		}
		byte[] raw = encodeFiles(files());
		assertEquals(1, raw[0], "one distinct content");
		assertEquals(3, raw[indexOfEntryCount(raw)], "then three entries");
	}

	/** The entry count follows the one content: its SHA-256 and its length-prefixed bytes. */
	private static int indexOfEntryCount(byte[] raw) {
		return 1 + 32 + 1 + SAME.length;
	}

	@Test
	void everyTruncationIsRefusedWithAMessage() {
		byte[] raw = encodeFiles(files());
		for (int n = 0; n < raw.length; n++) {
			byte[] cut = Arrays.copyOf(raw, n);
			MalformedFieldException e = assertThrows(MalformedFieldException.class,
					() -> ProvidedFilesCodec.decode(new FieldReader(cut)), "cut at " + n);
			assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
		}
		assertEquals(files(), ProvidedFilesCodec.decode(new FieldReader(raw)));
	}

	@Test
	void damagedContentsPathsKindsAndIndexesAreNamed() {
		byte[] raw = encodeFiles(files());
		byte[] bad = raw.clone();
		bad[1 + 32 + 1] ^= 1; // a content byte
		assertMessage(bad, "provided file contents 0 do not match their SHA-256");
		int entries = indexOfEntryCount(raw);
		bad = raw.clone();
		bad[entries + 2] = '.'; // "/data/a.txt" becomes ".data/a.txt"
		assertMessage(bad, "not a normalized absolute path: .data/a.txt");
		bad = raw.clone();
		int kind = entries + 2 + "/data/a.txt".length();
		bad[kind] = 7;
		assertMessage(bad, "provided file /data/a.txt: unknown kind 7");
		bad = raw.clone();
		bad[kind + 2] = 1; // the contents index (after kind and the one-byte mtime 3): only 0 exists
		assertMessage(bad, "provided file contents index 1 out of range 0..0");
		bad = raw.clone();
		bad[entries] = 9; // nine entries announced, three there
		byte[] nine = bad;
		assertThrows(MalformedFieldException.class, () -> ProvidedFilesCodec.decode(new FieldReader(nine)));
		bad = raw.clone();
		bad[0] = 0x7f; // 127 contents announced, one there
		byte[] many = bad;
		assertThrows(MalformedFieldException.class, () -> ProvidedFilesCodec.decode(new FieldReader(many)));
	}

	private static void assertMessage(byte[] raw, String expected) {
		MalformedFieldException e = assertThrows(MalformedFieldException.class,
				() -> ProvidedFilesCodec.decode(new FieldReader(raw)));
		assertTrue(e.getMessage().contains(expected), e.getMessage());
	}
}
