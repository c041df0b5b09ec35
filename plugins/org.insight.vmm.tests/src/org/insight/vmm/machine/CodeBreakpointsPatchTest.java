package org.insight.vmm.machine;

import static org.insight.vmm.machine.LoopFixture.TEXT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The comparator's patch in {@link CodeBreakpoints}: written over the guest's code through the VMM's view, hidden
 * from every read of guest code, never over one of our int3s, given up when a site is wanted inside it, and gone at
 * the end of the run.
 */
class CodeBreakpointsPatchTest {
	private static final byte[] TEXT_BYTES = HexFormat.of().parseHex("4883c001488b542408c3909090909090");
	private final LoopFixture f = new LoopFixture(4, null, TEXT_BYTES);
	private final CodeBreakpoints b = new CodeBreakpoints(f.space);

	@AfterEach
	void close() {
		f.close();
	}

	@Test
	void aPatchIsHiddenFromReadsOfGuestCodeAndUndoneWhole() {
		byte[] jmp = HexFormat.of().parseHex("eb05cccc");
		byte[] island = HexFormat.of().parseHex("e900000000");
		assertTrue(b.patch(new long[] { TEXT, TEXT + 10 }, new byte[][] { jmp, island }));
		assertArrayEquals(jmp, f.space.copyIn(TEXT, 4), "in memory");
		assertArrayEquals(island, f.space.copyIn(TEXT + 10, 5));
		assertArrayEquals(TEXT_BYTES, b.guestCode(TEXT, TEXT_BYTES.length), "the guest's code as the VMM reads it");
		assertTrue(b.patched(TEXT + 3) && b.patched(TEXT + 14) && !b.patched(TEXT + 4) && !b.patched(TEXT + 15));
		b.clear();
		assertArrayEquals(TEXT_BYTES, f.space.copyIn(TEXT, TEXT_BYTES.length), "the end of the run undoes it");
		assertFalse(b.patched(TEXT));
	}

	@Test
	void aSiteWantedInsideThePatchEndsItFirstAndNoPatchGoesOverASite() {
		int[] conflicts = { 0 };
		b.onPatchConflict(() -> conflicts[0]++);
		b.add(TEXT + 12, CodeBreakpoints.Owner.OBSERVER);
		assertFalse(b.patch(new long[] { TEXT + 10 }, new byte[][] { new byte[5] }), "over one of our int3s");
		assertEquals((byte) 0x90, f.space.copyIn(TEXT + 10, 1)[0], "nothing written");
		assertTrue(b.patch(new long[] { TEXT }, new byte[][] { HexFormat.of().parseHex("e900000000") }));
		b.add(TEXT + 2, CodeBreakpoints.Owner.LOCK_CALL);
		assertEquals(1, conflicts[0]);
		assertFalse(b.patched(TEXT));
		assertArrayEquals(HexFormat.of().parseHex("4883cc01"), f.space.copyIn(TEXT, 4),
				"the guest's bytes back, then the int3 over its own byte");
		b.clear();
		assertArrayEquals(TEXT_BYTES, f.space.copyIn(TEXT, TEXT_BYTES.length));
	}
}
