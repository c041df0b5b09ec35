package org.insight.vmm.loader;

import java.io.IOException;
import java.util.stream.Stream;

import org.insight.testsupport.FuzzCorpus;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The committed fuzz inputs of the ELF loader (plugins/org.insight.vmm.tests/fuzz/elf/: tiny seeds, what the fuzzer
 * kept, every crash it found), each replayed through {@link ElfLoaderFuzzTarget}: a regression test per input.
 */
class ElfLoaderFuzzCorpusTest {
	@TestFactory
	Stream<DynamicTest> elf() throws IOException {
		return FuzzCorpus.replay("org.insight.vmm.tests", "elf", ElfLoaderFuzzTarget::run);
	}
}
