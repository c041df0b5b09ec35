package org.insight.vmm.inputs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class ChaosTest {
	private static List<Integer> decisions(long seed, int n) {
		Chaos c = new Chaos(seed);
		List<Integer> out = new ArrayList<>();
		int current = 1;
		for (int i = 0; i < n; i++) {
			current = c.choose(new SyncPoint(current, i, SyncPoint.Kind.SYSCALL, 1, new long[6]), List.of(1, 2, 3, 4));
			out.add(current);
		}
		return out;
	}

	@Test
	void oneSeedGivesOneSequenceAndAnotherSeedAnother() {
		assertEquals(decisions(42, 200), decisions(42, 200));
		assertNotEquals(decisions(42, 200), decisions(43, 200));
	}

	@Test
	void switchesAtSomeSyscallsButNotAll() {
		List<Integer> d = decisions(7, 1000);
		long switches = 0;
		for (int i = 1; i < d.size(); i++) {
			if (!d.get(i).equals(d.get(i - 1))) {
				switches++;
			}
		}
		// about a quarter of the sync points hand over (SWITCH_AT_SYSCALL), always to another runnable thread
		assertTrue(switches > 150 && switches < 350, "switches " + switches);
		assertTrue(d.stream().allMatch(t -> t >= 1 && t <= 4));
	}

	@Test
	void aBlockedThreadIsNeverChosenAndALoneThreadStays() {
		Chaos c = new Chaos(1);
		for (int i = 0; i < 100; i++) {
			int t = c.choose(new SyncPoint(2, i, SyncPoint.Kind.BLOCKED, 202, new long[6]), List.of(1, 3));
			assertTrue(t == 1 || t == 3, "chose " + t);
		}
		assertEquals(5, c.choose(new SyncPoint(5, 0, SyncPoint.Kind.SYSCALL, 1, new long[6]), List.of(5)));
	}
}
