package org.insight.replay.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.OptionalLong;

import org.insight.vmm.inputs.LockCallCountdown;
import org.insight.vmm.machine.SyncMode;
import org.junit.jupiter.api.Test;

/**
 * The header's lock-call countdown rule: new recordings name the current one, a header without the field (older
 * recordings) means every lock call was a sync point, and an unknown rule is refused with its value.
 */
class LockCallRuleHeaderTest {
	private static TraceHeader locks(int rule) {
		TraceHeader h = TraceFixtures.header();
		RecordingConfig c = h.config();
		return new TraceHeader(h.recordedAt(), h.program(), new RecordingConfig(SyncMode.LOCKS, c.timeSlice(),
				OptionalLong.of(7), c.memoryCapBytes(), c.watchdogPeriod(), c.maxThreads(), c.guestCpuid(), rule),
				h.hostCpu());
	}

	private static byte[] encode(TraceHeader h) {
		FieldWriter w = new FieldWriter(1024);
		HeaderCodec.encodeHeader(h, w);
		return w.toByteArray();
	}

	@Test
	void aNewRecordingNamesTheCurrentRuleAndItsReplayDrawsTheSameCountdown() {
		TraceHeader h = TraceFixtures.header();
		assertEquals(LockCallCountdown.CURRENT, h.config().lockCallRule());
		TraceHeader decoded = HeaderCodec.decodeHeader(new FieldReader(encode(locks(LockCallCountdown.CURRENT))));
		assertEquals(LockCallCountdown.GEOMETRIC, decoded.config().lockCallRule());
		LockCallCountdown a = decoded.config().lockCallCountdown();
		LockCallCountdown b = LockCallCountdown.of(LockCallCountdown.GEOMETRIC, OptionalLong.of(7));
		for (int i = 0; i < 100; i++) {
			assertEquals(b.next(), a.next(), "draw " + i);
		}
		assertEquals(LockCallCountdown.CHAOS_MEAN, a.mean(), "the chaos seed's rule");
	}

	@Test
	void aHeaderWithoutTheFieldIsAnOlderRecordingWithEveryCallASyncPoint() {
		byte[] raw = encode(locks(LockCallCountdown.EVERY_CALL));
		byte[] old = Arrays.copyOf(raw, raw.length - 1); // the rule is the last field, one byte here
		TraceHeader decoded = HeaderCodec.decodeHeader(new FieldReader(old));
		assertEquals(LockCallCountdown.EVERY_CALL, decoded.config().lockCallRule());
		assertEquals(1, decoded.config().lockCallCountdown().next());
		assertTrue(decoded.config().describe().contains("every lock call a sync point"), decoded.config().describe());
	}

	@Test
	void anUnknownRuleIsRefusedWithItsValue() {
		byte[] raw = encode(locks(LockCallCountdown.EVERY_CALL));
		raw[raw.length - 1] = 9;
		MalformedFieldException e = assertThrows(MalformedFieldException.class, () -> HeaderCodec.decodeHeader(
				new FieldReader(raw)));
		assertTrue(e.getMessage().contains("unknown lock-call countdown rule 9"), e.getMessage());
	}
}
