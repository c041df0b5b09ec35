package org.insight.replay.trace;

import java.io.IOException;
import java.util.stream.Stream;

import org.insight.testsupport.FuzzCorpus;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The committed fuzz inputs of the trace targets (plugins/org.insight.replay.tests/fuzz/: the seeds, what the fuzzer
 * kept, and every crash it found), each replayed through its target: a regression test per input, in seconds.
 */
class TraceFuzzCorpusTest {
	@TestFactory
	Stream<DynamicTest> trace() throws IOException {
		return FuzzCorpus.replay("org.insight.replay.tests", "trace", TraceFileFuzzTarget::run);
	}

	@TestFactory
	Stream<DynamicTest> traceBlocks() throws IOException {
		return FuzzCorpus.replay("org.insight.replay.tests", "trace-blocks", TraceBlocksFuzzTarget::run);
	}
}
