package org.insight.vmm.inputs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

/** The lock-call countdown's rules: what a recording and its replay both draw. */
class LockCallCountdownTest {
	@Test
	void everyCallIsASyncPointUnderTheOldRule() {
		LockCallCountdown c = LockCallCountdown.everyCall();
		assertEquals(LockCallCountdown.EVERY_CALL, c.rule());
		assertTrue(LongStream.range(0, 1000).allMatch(i -> c.next() == 1));
	}

	@Test
	void aRecordingAndItsReplayDrawTheSameDistances() {
		LockCallCountdown a = LockCallCountdown.of(LockCallCountdown.GEOMETRIC, OptionalLong.of(7));
		LockCallCountdown b = LockCallCountdown.of(LockCallCountdown.GEOMETRIC, OptionalLong.of(7));
		long[] x = LongStream.range(0, 500).map(i -> a.next()).toArray();
		long[] y = LongStream.range(0, 500).map(i -> b.next()).toArray();
		assertEquals(java.util.Arrays.toString(x), java.util.Arrays.toString(y));
		LockCallCountdown other = LockCallCountdown.of(LockCallCountdown.GEOMETRIC, OptionalLong.of(8));
		long[] z = LongStream.range(0, 500).map(i -> other.next()).toArray();
		assertTrue(!java.util.Arrays.equals(x, z), "another seed, other distances");
	}

	@Test
	void chaosDrawsAQuarterOfTheCallsOnAverageAndRoundRobinFarFewer() {
		LockCallCountdown chaos = LockCallCountdown.of(LockCallCountdown.GEOMETRIC, OptionalLong.of(3));
		assertEquals(LockCallCountdown.CHAOS_MEAN, chaos.mean());
		assertEquals(1 / Chaos.SWITCH_AT_LOCK_CALL, chaos.mean(), 0.0, "as often as chaos switched at a lock call");
		double mean = LongStream.range(0, 100_000).map(i -> chaos.next()).average().orElseThrow();
		assertEquals(4.0, mean, 0.1);
		LockCallCountdown rr = LockCallCountdown.of(LockCallCountdown.GEOMETRIC, OptionalLong.empty());
		assertEquals(LockCallCountdown.ROUND_ROBIN_MEAN, rr.mean());
		long[] d = LongStream.range(0, 20_000).map(i -> rr.next()).toArray();
		assertEquals(64.0, LongStream.of(d).average().orElseThrow(), 2.0);
		assertTrue(LongStream.of(d).allMatch(n -> n >= 1 && n <= 64L * 64), "bounded");
		assertTrue(LongStream.of(d).anyMatch(n -> n == 1), "the very next call can be one");
	}

	@Test
	void anUnknownRuleIsRefused() {
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LockCallCountdown.of(9,
				OptionalLong.empty()));
		assertTrue(e.getMessage().contains("rule 9"), e.getMessage());
	}
}
