package org.insight.vmm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.insight.vmm.memory.Mman;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The memory room hands the calls to the address space; its own tests cover the details. */
class MemoryCallsTest {
	private final LinuxFixture f = new LinuxFixture();

	@AfterEach
	void close() {
		f.close();
	}

	@Test
	void mmapMprotectMunmapGoThroughTheTable() {
		long a = f.call(Syscalls.MMAP, 0, 8192, Mman.PROT_READ | Mman.PROT_WRITE,
				Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
		assertTrue(a > 0 && (a & 4095) == 0, Long.toHexString(a));
		f.space.writeU64(a, 42);
		assertEquals(0, f.call(Syscalls.MPROTECT, a, 4096, Mman.PROT_READ));
		assertEquals(-Errno.EFAULT, f.call(Syscalls.CLOCK_GETTIME, 0, a), "read-only now");
		assertEquals(0, f.call(Syscalls.MADVISE, a + 4096, 4096, Mman.MADV_DONTNEED));
		assertEquals(0, f.call(Syscalls.MUNMAP, a, 8192));
		assertEquals(-Errno.EFAULT, f.call(Syscalls.WRITE, 1, a, 1), "unmapped now");
		assertEquals(-Errno.EBADF, f.call(Syscalls.MMAP, 0, 4096, Mman.PROT_READ, Mman.MAP_PRIVATE, -1, 0),
				"no files");
		assertEquals(-Errno.EINVAL, f.call(Syscalls.MUNMAP, a + 1, 4096));
	}

	@Test
	void brkAndMremap() {
		f.space.initBrk(0x80_0000L);
		assertEquals(0x80_0000L, f.call(Syscalls.BRK, 0));
		assertEquals(0x80_2000L, f.call(Syscalls.BRK, 0x80_2000L));
		f.space.writeU64(0x80_1ff8L, 7);
		assertEquals(0x80_0000L, f.call(Syscalls.MREMAP, 0x80_0000L, 8192, 16384, Mman.MREMAP_MAYMOVE, 0),
				"the heap grows in place into the free pages above it, as Linux's mremap does");
		assertEquals(7, f.space.readU64(0x80_1ff8L), "the old contents stay");
		f.space.writeU64(0x80_3ff8L, 9);
		assertEquals(9, f.space.readU64(0x80_3ff8L), "the grown part is mapped and writable");
	}
}
