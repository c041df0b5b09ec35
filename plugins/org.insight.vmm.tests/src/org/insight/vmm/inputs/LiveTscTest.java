package org.insight.vmm.inputs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import org.junit.jupiter.api.Test;

/** The live TSC: the host's monotonic clock at the nominal 2 GHz, never going back. */
class LiveTscTest {
	@Test
	void ticksAreNanosecondsAtTheNominalFrequency() {
		assertEquals(0, LiveInputs.tscTicks(0));
		assertEquals(2, LiveInputs.tscTicks(1));
		assertEquals(2_000_000_000L, LiveInputs.tscTicks(1_000_000_000L));
		assertEquals(2 * 123_456_789_987_654L, LiveInputs.tscTicks(123_456_789_987_654L), "no overflow");
	}

	@Test
	void readsGrowStrictly() throws IOException {
		try (LiveInputs live = new LiveInputs(StdinSource.empty(), new RoundRobin(java.time.Duration.ofMillis(10)))) {
			long last = 0;
			for (int i = 0; i < 1000; i++) {
				long tsc = live.tsc(new TscRead(1000, i % 2 == 0 ? TscRead.Instruction.RDTSC
						: TscRead.Instruction.RDTSCP));
				assertTrue(tsc > last, "read " + i + ": " + tsc + " after " + last);
				last = tsc;
			}
		}
	}
}
