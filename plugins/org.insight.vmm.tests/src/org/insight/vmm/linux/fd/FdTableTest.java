package org.insight.vmm.linux.fd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FdTableTest {
	@Test
	void descriptorsTakeTheLowestFreeNumberAndDupsShareTheDescription() {
		FdTable t = FdTable.standard();
		PipeEnd[] ends = Pipe.open(1, 0);
		assertEquals(3, t.allocate(ends[0], 0, 1024, false));
		assertEquals(4, t.allocate(ends[1], 0, 1024, true));
		assertTrue(t.closeOnExec(4));
		assertFalse(t.closeOnExec(3));
		assertSame(t.get(1), t.close(1));
		assertEquals(1, t.allocate(ends[1], 0, 1024, false), "the lowest free number");
		assertEquals(10, t.allocate(ends[1], 10, 1024, false), "F_DUPFD's lower bound");
		assertEquals(-1, t.allocate(ends[1], 0, 5, false), "no free number below the limit: EMFILE");
		assertEquals(6, t.openCount(), "0, 1, 2, 3, 4 and 10");
		ends[1].statusFlags(OpenFile.O_NONBLOCK | 0x40);
		assertEquals(OpenFile.O_WRONLY | OpenFile.O_NONBLOCK, t.get(10).statusFlags(),
				"status flags belong to the description, shared by its dups; only settable flags change");
	}

	@Test
	void aPipeEndClosesWithItsLastDescriptor() {
		FdTable t = FdTable.standard();
		PipeEnd[] ends = Pipe.open(1, 0);
		t.install(3, ends[0], false);
		t.install(4, ends[1], false);
		t.install(7, ends[1], false);
		Pipe pipe = ends[0].pipe();
		t.close(4);
		assertTrue(pipe.hasWriters(), "fd 7 still refers to the write end");
		OpenFile old = t.install(7, t.get(0), false);
		assertSame(ends[1], old, "dup2 over fd 7 closed the write end");
		assertFalse(pipe.hasWriters());
		assertTrue(pipe.hasReaders());
		assertNull(t.close(4), "closing a closed descriptor");
		t.close(3);
		assertFalse(pipe.hasReaders());
	}
}
