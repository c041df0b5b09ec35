package org.insight.symbols;

import java.util.Arrays;

import org.insight.testsupport.FuzzInput;

/**
 * Fuzz target "cfi": the input's first byte chooses {@code .eh_frame} (even) or {@code .debug_frame} (odd), the rest is
 * that section, at a fixed address; it is parsed ({@link CallFrameInfo}) and the rule asked at the start, the middle
 * and the last byte of every FDE, and at a few addresses around them, as the stack unwinder does. Accepted: nothing,
 * since the reader never throws: an entry that does not parse is left out. Run by {@code ./insight fuzz cfi},
 * replayed by {@code SymbolsFuzzCorpusTest}.
 */
public final class CallFrameFuzzTarget {
	static final long ADDRESS = 0x401000;

	private CallFrameFuzzTarget() {
	}

	public static void fuzzerTestOneInput(byte[] data) {
		run(data);
	}

	/** One input through the target: null, since nothing is a refusal here. */
	static Throwable run(byte[] data) {
		return FuzzInput.check("cfi", () -> query(data));
	}

	static void query(byte[] data) {
		if (data.length == 0) {
			return;
		}
		ElfSection section = new ElfSection((data[0] & 1) == 0 ? ".eh_frame" : ".debug_frame", ADDRESS,
				Arrays.copyOfRange(data, 1, data.length));
		CallFrameInfo cfi = (data[0] & 1) == 0 ? CallFrameInfo.parse(section) : CallFrameInfo.parseDebugFrame(section);
		for (long[] r : cfi.ranges()) {
			cfi.ruleAt(r[0]);
			cfi.ruleAt(r[0] + (r[1] - r[0]) / 2);
			cfi.ruleAt(r[1] - 1);
			cfi.ruleAt(r[1]);
			cfi.ruleAt(r[0] - 1);
		}
		cfi.ruleAt(ADDRESS);
	}
}
