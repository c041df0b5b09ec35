package org.insight.vmm.memory;

import static org.insight.vmm.memory.Mman.MAP_ANONYMOUS;
import static org.insight.vmm.memory.Mman.MAP_FIXED;
import static org.insight.vmm.memory.Mman.MAP_PRIVATE;
import static org.insight.vmm.memory.Mman.PROT_NONE;
import static org.insight.vmm.memory.Mman.PROT_READ;
import static org.insight.vmm.memory.Mman.PROT_WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** copyIn/copyOut and friends on guest virtual addresses: every byte's page is checked. */
class GuestAccessTest {
	private static final int RW = PROT_READ | PROT_WRITE;
	private static final int ANON = MAP_PRIVATE | MAP_ANONYMOUS;
	private final MemoryFixture f = new MemoryFixture();
	private final AddressSpace space = f.space;

	@AfterEach
	void close() {
		f.close();
	}

	@Test
	void copiesAcrossAPageBoundaryLandInBothFrames() {
		long a = space.mmap(0, 2 * 4096, RW, ANON);
		byte[] data = new byte[100];
		for (int i = 0; i < data.length; i++) {
			data[i] = (byte) (i + 1);
		}
		long at = a + 4096 - 40;
		space.copyOut(at, data, 0, data.length);
		long first = f.walk(a).physical();
		long second = f.walk(a + 4096).physical();
		byte[] raw = new byte[40];
		f.memory.read(first + 4096 - 40, raw, 0, 40);
		assertArrayEquals(java.util.Arrays.copyOfRange(data, 0, 40), raw);
		byte[] raw2 = new byte[60];
		f.memory.read(second, raw2, 0, 60);
		assertArrayEquals(java.util.Arrays.copyOfRange(data, 40, 100), raw2);
		assertArrayEquals(data, space.copyIn(at, 100));
		assertEquals(2, space.vmmPopulated());
	}

	@Test
	void wordsAcrossAPageBoundary() {
		long a = space.mmap(0, 2 * 4096, RW, ANON);
		space.writeU64(a + 4093, 0x0807_0605_0403_0201L);
		assertEquals(0x0807_0605_0403_0201L, space.readU64(a + 4093));
		assertEquals(0x0605_0403, space.readU32(a + 4095));
		assertEquals(0x0403_0201, space.readU32(a + 4093));
		space.writeU32(a + 4094, 0xa1b2_c3d4);
		assertEquals(0xa1b2_c3d4, space.readU32(a + 4094));
		assertEquals((byte) 0xd4, f.memory.getByte(f.walk(a).physical() + 4094));
		assertEquals((byte) 0xa1, f.memory.getByte(f.walk(a + 4096).physical() + 1));
	}

	@Test
	void readingUntouchedMemoryGivesZerosWithoutUsingFrames() {
		long a = space.mmap(0, 8 * 4096, RW, ANON);
		long inUse = space.frames().inUse();
		assertArrayEquals(new byte[5000], space.copyIn(a + 100, 5000));
		assertEquals(0, space.readU64(a + 8));
		assertEquals("", space.readCString(a, 10));
		assertEquals(inUse, space.frames().inUse());
	}

	@Test
	void faultsNameTheFirstBadByte() {
		long a = space.mmap(0, 4096, RW, ANON);
		long ro = space.mmap(a - 4096, 4096, PROT_READ, ANON | MAP_FIXED);
		long none = space.mmap(a + 4096, 4096, PROT_NONE, ANON | MAP_FIXED);

		GuestFault unmapped = assertThrows(GuestFault.class, () -> space.copyIn(0x1000_0000L, new byte[4], 0, 4));
		assertEquals(0x1000_0000L, unmapped.address());
		assertFalse(unmapped.write());
		assertEquals("guest read at 0x10000000: not mapped", unmapped.getMessage());

		GuestFault readOnly = assertThrows(GuestFault.class, () -> space.writeU32(ro + 8, 1));
		assertTrue(readOnly.write());
		assertEquals("guest write at 0x" + Long.toHexString(ro + 8) + ": mapped read-only", readOnly.getMessage());

		byte[] data = new byte[200];
		java.util.Arrays.fill(data, (byte) 7);
		GuestFault intoNone = assertThrows(GuestFault.class, () -> space.copyOut(a + 4096 - 100, data, 0, 200));
		assertEquals(none, intoNone.address(), "the first byte of the PROT_NONE page");
		assertEquals(7, space.copyIn(a + 4096 - 100, 100)[99], "the first part was written, as in Linux");
		assertThrows(GuestFault.class, () -> space.readU64(a + 4092), "a read straddling into PROT_NONE");

		assertEquals("guest read at 0x0: not a user address",
				assertThrows(GuestFault.class, () -> space.readU32(0)).getMessage());
		assertThrows(GuestFault.class, () -> space.readU32(MachineLayout.GDT), "the kernel area is not the guest's");
		assertThrows(GuestFault.class, () -> space.readU32(0x8000_0000_0000L), "non-canonical");
		assertThrows(GuestFault.class, () -> space.readU32(-8L), "kernel half");
		GuestFault wrap = assertThrows(GuestFault.class, () -> space.copyIn(-16L, new byte[64], 0, 64));
		assertEquals(-16L, wrap.address());
		assertThrows(GuestFault.class, () -> space.copyIn(MachineLayout.USER_TOP - 8, new byte[16], 0, 16));
	}

	@Test
	void cStrings() {
		long a = space.mmap(0, 2 * 4096, RW, ANON);
		byte[] s = "hello, wörld\0".getBytes(StandardCharsets.UTF_8);
		space.copyOut(a + 4096 - 5, s);
		assertEquals("hello, wörld", space.readCString(a + 4096 - 5, 4095));
		assertEquals("wörld", space.readCString(a + 4096 + 2, 6), "exactly the maximum length");
		GuestStringTooLongException tooLong = assertThrows(GuestStringTooLongException.class,
				() -> space.readCString(a + 4096 - 5, 5));
		assertEquals(5, tooLong.maxLength());
		assertEquals(a + 4096 - 5, tooLong.address());
		long edge = space.mmap(0x3000_0000L, 4096, RW, ANON | MAP_FIXED); // nothing above it
		byte[] full = new byte[4096];
		java.util.Arrays.fill(full, (byte) 'x');
		space.copyOut(edge, full);
		GuestFault runsOff = assertThrows(GuestFault.class, () -> space.readCString(edge, 100_000));
		assertEquals(edge + 4096, runsOff.address(), "no NUL before the unmapped page");
		assertArrayEquals("hello, wörld".getBytes(StandardCharsets.UTF_8), space.readCStringBytes(a + 4096 - 5, 100));
	}
}
