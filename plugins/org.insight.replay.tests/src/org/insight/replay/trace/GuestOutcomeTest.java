package org.insight.replay.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.insight.vmm.linux.Termination;
import org.junit.jupiter.api.Test;

class GuestOutcomeTest {
	@Test
	void everyDifferingPartIsNamed() {
		GuestOutcome recorded = TraceFixtures.outcome();
		byte[] sha = new byte[32];
		GuestOutcome replayed = new GuestOutcome(ExitStatus.of(new Termination.Exited(3)), new OutputDigest(13, sha),
				new OutputDigest(1, sha), new byte[0]);
		String zeros = "0".repeat(64);
		assertEquals(List.of(
				"exit differs (recorded: killed by SIGABRT: abort, replayed: exited with status 3)",
				"stdout differs (recorded 12 bytes, sha256 " + "aa".repeat(32) + ", replayed 13 bytes, sha256 " + zeros
						+ ")",
				"stderr differs (recorded 0 bytes, sha256 " + "bb".repeat(32) + ", replayed 1 bytes, sha256 " + zeros
						+ ")",
				"final memory digest differs (recorded " + "00".repeat(31) + "07, replayed none)"),
				recorded.differences(replayed));
		assertEquals(List.of(), recorded.differences(TraceFixtures.outcome()));
	}

	@Test
	void exitsCompareByStatusAndSignalNotByWording() {
		ExitStatus deadlock = new ExitStatus(124, 0, "deadlock: all 2 threads blocked");
		ExitStatus sameReworded = new ExitStatus(124, 0, "deadlock: 2 threads blocked");
		assertEquals(true, deadlock.sameAs(sameReworded));
		assertEquals(false, deadlock.sameAs(new ExitStatus(124, 9, "killed")));
		assertEquals(new ExitStatus(134, 6, "killed by SIGABRT: abort"),
				ExitStatus.of(new Termination.Signaled(6, "abort")));
	}
}
