package org.insight.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** Pinning the calling thread (no KVM needed): the kernel reports the one CPU, and the old set comes back. */
class CpuPinTest {
	private static String allowedCpus() throws Exception {
		int tid = Libc.gettid();
		for (String line : Files.readAllLines(Path.of("/proc/self/task/" + tid + "/status"))) {
			if (line.startsWith("Cpus_allowed_list:")) {
				return line.substring(line.indexOf(':') + 1).trim();
			}
		}
		throw new AssertionError("no Cpus_allowed_list in /proc/self/task/" + tid + "/status");
	}

	@Test
	void theThreadRunsOnTheLowestCpuWhilePinnedAndOnItsOwnSetAfter() throws Exception {
		String before = allowedCpus();
		int lowest = Integer.parseInt(before.split("[-,]")[0]);
		try (CpuPin pin = CpuPin.lowestAllowed()) {
			assertEquals(lowest, pin.cpu());
			assertEquals(String.valueOf(lowest), allowedCpus());
		}
		assertEquals(before, allowedCpus());
	}

	@Test
	void theLowestSetBitIsFound() {
		byte[] mask = new byte[16];
		assertEquals(-1, CpuPin.lowest(mask));
		mask[2] = (byte) 0b1010_0000;
		assertEquals(21, CpuPin.lowest(mask));
	}
}
