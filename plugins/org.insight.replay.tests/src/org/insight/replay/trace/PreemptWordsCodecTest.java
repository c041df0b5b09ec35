package org.insight.replay.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.insight.vmm.inputs.Landmark;
import org.insight.vmm.inputs.Preemption;
import org.junit.jupiter.api.Test;

/**
 * A preempt frame's landmark memory words on disk (TRACE-FORMAT.md, kind 5): they round-trip, a frame without them is
 * written as before they existed, and each malformed form is refused by name at its position, never misread.
 */
class PreemptWordsCodecTest {
	private static final Landmark PLAIN = TraceFixtures.landmark(9);
	private static final PreemptFrame WITH = new PreemptFrame(new Preemption(1000, 4, TraceFixtures.withWords(PLAIN),
			false), List.of(1001), true);

	private static byte[] encode(Frame f) {
		FieldWriter w = new FieldWriter(64);
		FrameCodec.encode(f, w);
		return w.toByteArray();
	}

	@Test
	void wordsRoundTripAndAFrameWithoutThemIsWrittenAsBefore() {
		assertEquals(WITH, FrameCodec.decode(new FieldReader(encode(WITH))));
		byte[] plain = encode(new PreemptFrame(new Preemption(1000, 4, PLAIN, false), List.of(1001), true));
		assertEquals(1, plain[plain.length - 1], "the last byte is the preempted flag alone, as a boolean was");
		byte[] with = encode(WITH);
		assertEquals(3, with[plain.length - 1], "preempted, and words follow");
	}

	@Test
	void malformedWordsAreRefusedByName() {
		int flags = encode(new PreemptFrame(new Preemption(1000, 4, PLAIN, false), List.of(1001), true)).length - 1;
		byte[] b = encode(WITH);
		b[flags] = 4;
		assertRefused(b, flags, "preempt flags 4");
		b = encode(WITH);
		b[flags + 1] = 0;
		assertRefused(b, flags + 1, "landmark memory words flagged, but none");
		b = encode(WITH);
		b[flags + 1] = 9;
		assertRefused(b, flags + 1, "landmark memory words 9 out of range 0..8");
		b = encode(WITH);
		b[flags + 2] |= 1; // the first word's address, 0x4bb310, made odd
		assertRefused(b, flags + 2, "landmark memory word at 0x4bb311 is not 8-aligned");
	}

	private static void assertRefused(byte[] b, int at, String problem) {
		MalformedFieldException e = assertThrows(MalformedFieldException.class, () -> FrameCodec.decode(
				new FieldReader(b)));
		assertTrue(e.getMessage().contains(problem), e.getMessage());
		assertEquals(at, e.position(), e.getMessage());
	}
}
