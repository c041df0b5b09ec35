package org.insight.replay.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class HostCpuTest {
	private static final String CPUINFO = """
			processor	: 0
			vendor_id	: GenuineIntel
			cpu family	: 6
			model		: 106
			model name	: Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz
			stepping	: 6
			microcode	: 0xd0003a5

			processor	: 1
			vendor_id	: AuthenticAMD
			cpu family	: 25
			model		: 1
			model name	: AMD EPYC 7R13
			stepping	: 1
			""";

	@Test
	void theFirstProcessorIsTheHostCpu() {
		HostCpu cpu = HostCpu.parse(CPUINFO);
		assertEquals(new HostCpu("GenuineIntel", "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", 6, 106, 6), cpu);
		assertEquals("Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz (GenuineIntel family 6 model 106 stepping 6)",
				cpu.describe());
	}

	@Test
	void missingOrOddFieldsReadAsUnknown() {
		assertEquals(new HostCpu("unknown", "unknown", -1, 3, -1), HostCpu.parse("model : 3\nstepping : unknown\n"));
	}

	@Test
	void thisHostHasAModel() {
		HostCpu cpu = HostCpu.current();
		assertNotEquals("unknown", cpu.vendor(), cpu.toString());
		assertEquals(cpu, HostCpu.current());
	}
}
