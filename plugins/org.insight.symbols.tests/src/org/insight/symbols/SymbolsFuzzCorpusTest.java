package org.insight.symbols;

import java.io.IOException;
import java.util.stream.Stream;

import org.insight.testsupport.FuzzCorpus;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The committed fuzz inputs of the symbol reader (plugins/org.insight.symbols.tests/fuzz/symbols/: tiny seeds, what
 * the fuzzer kept, every crash it found), each replayed through {@link SymbolsFuzzTarget}, and those of the symbol
 * cache decoder (fuzz/symbol-cache/) through {@link SymbolCacheFuzzTarget}, and those of the call frame reader
 * (fuzz/cfi/) through {@link CallFrameFuzzTarget}: a regression test per input.
 */
class SymbolsFuzzCorpusTest {
	@TestFactory
	Stream<DynamicTest> symbols() throws IOException {
		return FuzzCorpus.replay("org.insight.symbols.tests", "symbols", SymbolsFuzzTarget::run);
	}

	@TestFactory
	Stream<DynamicTest> symbolCache() throws IOException {
		return FuzzCorpus.replay("org.insight.symbols.tests", "symbol-cache", SymbolCacheFuzzTarget::run);
	}

	@TestFactory
	Stream<DynamicTest> callFrames() throws IOException {
		return FuzzCorpus.replay("org.insight.symbols.tests", "cfi", CallFrameFuzzTarget::run);
	}
}
