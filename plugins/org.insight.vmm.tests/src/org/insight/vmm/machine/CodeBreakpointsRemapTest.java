package org.insight.vmm.machine;

import static org.insight.vmm.machine.LoopFixture.TEXT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;

import org.insight.vmm.memory.Mman;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Our int3s follow the guest's code when its frames leave their addresses: ld.so maps a library's whole span from the
 * file, then maps its code again over it with MAP_FIXED, and the lock functions hooked in the first mapping must be
 * hooked in the second. A site whose page goes is written again once the address is present again; the old frame is
 * left as the guest's.
 */
class CodeBreakpointsRemapTest {
	private static final byte[] FIRST = HexFormat.of().parseHex("4883c001488b542408c3909090909090");
	private static final byte[] SECOND = HexFormat.of().parseHex("31c0c3909090909090909090909090");
	private final LoopFixture f = new LoopFixture(4, null, FIRST);
	private final CodeBreakpoints b = new CodeBreakpoints(f.space);

	@AfterEach
	void close() {
		f.close();
	}

	@Test
	void aSiteMappedOverIsWrittenAgainInTheNewFrames() {
		b.add(TEXT + 1, CodeBreakpoints.Owner.LOCK_CALL);
		long oldFrame = f.space.translate(TEXT).physical();
		assertEquals(CodeBreakpoints.INT3, f.space.copyIn(TEXT + 1, 1)[0]);

		long at = f.space.mmap(TEXT, 0x1000, Mman.PROT_READ | Mman.PROT_EXEC,
				Mman.MAP_FIXED | Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS);
		assertEquals(TEXT, at);
		f.space.loadBytes(TEXT, SECOND, 0, SECOND.length);
		assertFalse(b.isArmed(TEXT + 1), "not armed in frames it never wrote");
		b.armPending();
		assertTrue(b.isArmed(TEXT + 1));
		assertEquals(CodeBreakpoints.INT3, f.space.copyIn(TEXT + 1, 1)[0], "written in the new frame");
		assertArrayEquals(SECOND, b.guestCode(TEXT, SECOND.length), "the new code, as the guest has it");
		if (f.space.translate(TEXT).physical() != oldFrame) {
			assertEquals(FIRST[1], f.memory.getByte(oldFrame + 1), "the old frame got the guest's byte back");
		}
		b.clear();
		assertArrayEquals(SECOND, f.space.copyIn(TEXT, SECOND.length), "the end of the run leaves the guest's code");
	}

	@Test
	void aSiteWhosePageIsUnmappedWaitsAndAStepOverItEndsWithoutWriting() {
		b.add(TEXT + 1, CodeBreakpoints.Owner.OBSERVER);
		b.add(TEXT + 3, CodeBreakpoints.Owner.OBSERVER);
		long flags = b.beginStep(1, TEXT + 3, 0x202);
		assertEquals(0x202 | CodeBreakpoints.TF, flags);
		assertEquals(0, f.space.munmap(TEXT, 0x1000));
		assertFalse(b.isArmed(TEXT + 1));
		b.stepped(0x302, LoopFixture.STACK_TOP - 8);
		b.armPending();
		assertFalse(b.isArmed(TEXT + 1) || b.isArmed(TEXT + 3), "nothing is written where nothing is mapped");
		f.space.mmap(TEXT, 0x1000, Mman.PROT_READ | Mman.PROT_WRITE,
				Mman.MAP_FIXED | Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_POPULATE);
		b.armPending();
		assertFalse(b.isArmed(TEXT + 1), "data mapped where the code was gets no int3");
		assertEquals(0, f.space.copyIn(TEXT + 1, 1)[0]);
		f.space.mmap(TEXT, 0x1000, Mman.PROT_READ | Mman.PROT_EXEC,
				Mman.MAP_FIXED | Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS);
		f.space.loadBytes(TEXT, SECOND, 0, SECOND.length);
		b.armPending();
		assertTrue(b.isArmed(TEXT + 1) && b.isArmed(TEXT + 3), "both written once the page is back");
		b.clear();
		assertArrayEquals(SECOND, f.space.copyIn(TEXT, SECOND.length));
	}

	@Test
	void aPatchWhoseFramesGoIsDroppedAndItsOwnersFallbackIntThreeIsWrittenInTheNewFrames() {
		b.onPatchConflict(() -> b.add(TEXT + 4, CodeBreakpoints.Owner.LANDMARK));
		assertTrue(b.patch(new long[] { TEXT + 4 }, new byte[][] { HexFormat.of().parseHex("e900000000") }));
		f.space.mmap(TEXT, 0x1000, Mman.PROT_READ | Mman.PROT_EXEC,
				Mman.MAP_FIXED | Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS);
		f.space.loadBytes(TEXT, SECOND, 0, SECOND.length);
		assertFalse(b.patched(TEXT + 4), "the patch went with its frames");
		assertFalse(b.isArmed(TEXT + 4), "the fallback int3 is not in the frames that went");
		b.armPending();
		assertTrue(b.isArmed(TEXT + 4));
		assertEquals(CodeBreakpoints.INT3, f.space.copyIn(TEXT + 4, 1)[0]);
		b.clear();
		assertArrayEquals(SECOND, f.space.copyIn(TEXT, SECOND.length));
	}
}
