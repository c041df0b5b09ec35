package org.insight.kvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Guest memory is a plain anonymous mapping: all of this runs without KVM. */
class GuestMemoryTest {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    @Test
    void freshMemoryReadsZero() {
        try (GuestMemory m = GuestMemory.allocate(MIB)) {
            assertEquals(MIB, m.size());
            assertTrue(m.hostAddress() != 0);
            assertEquals(0L, m.getLong(0));
            assertEquals(0L, m.getLong(MIB - 8));
            assertArrayEquals(new byte[64], m.bytes(MIB / 2, 64));
        }
    }

    @Test
    void scalarsRoundTripLittleEndian() {
        try (GuestMemory m = GuestMemory.allocate(MIB)) {
            m.putLong(0x1000, 0x1122334455667788L);
            assertEquals(0x1122334455667788L, m.getLong(0x1000));
            assertEquals((byte) 0x88, m.getByte(0x1000));
            assertEquals((byte) 0x11, m.getByte(0x1007));
            assertEquals(0x55667788, m.getInt(0x1000));
            assertEquals(0x11223344, m.getInt(0x1004));
            assertEquals((short) 0x7788, m.getShort(0x1000));

            m.putInt(0x2001, 0xdeadbeef);   // unaligned is fine for the VMM's view
            assertEquals(0xdeadbeef, m.getInt(0x2001));
            assertArrayEquals(new byte[] { 0, (byte) 0xef, (byte) 0xbe, (byte) 0xad, (byte) 0xde, 0 }, m.bytes(0x2000, 6));

            m.putByte(MIB - 1, (byte) 0x7f);
            assertEquals((byte) 0x7f, m.getByte(MIB - 1));
            m.putShort(0x3000, (short) 0xbeef);
            assertEquals(0xef, m.getByte(0x3000) & 0xff);
        }
    }

    @Test
    void arraysRoundTripWithOffsets() {
        try (GuestMemory m = GuestMemory.allocate(MIB)) {
            byte[] src = new byte[300];
            for (int i = 0; i < src.length; i++) {
                src[i] = (byte) (i * 7 + 3);
            }
            m.write(0xfff0, src, 10, 200);   // crosses a page boundary
            byte[] dst = new byte[220];
            m.read(0xfff0, dst, 20, 200);
            assertArrayEquals(Arrays.copyOfRange(src, 10, 210), Arrays.copyOfRange(dst, 20, 220));
            assertArrayEquals(new byte[20], Arrays.copyOfRange(dst, 0, 20));
            assertEquals(0, m.getByte(0xfff0 + 200));

            assertThrows(IndexOutOfBoundsException.class, () -> m.read(0, new byte[4], 2, 4));
            assertThrows(IndexOutOfBoundsException.class, () -> m.write(0, new byte[4], -1, 2));
        }
    }

    @Test
    void accessesOutsideTheMemoryNameTheAddressAndLength() {
        long size = 16 * GuestMemory.PAGE_SIZE;
        try (GuestMemory m = GuestMemory.allocate(size)) {
            assertEquals(0L, m.getLong(size - 8));
            m.read(size, new byte[0], 0, 0);   // an empty access at the end is inside

            assertOutside(m, () -> m.getLong(size - 7), size - 7, 8);
            assertOutside(m, () -> m.getByte(size), size, 1);
            assertOutside(m, () -> m.getByte(-1), -1, 1);
            assertOutside(m, () -> m.getInt(-4), -4, 4);
            assertOutside(m, () -> m.putInt(size - 2, 1), size - 2, 4);
            assertOutside(m, () -> m.read(size - 4, new byte[8], 0, 8), size - 4, 8);
            assertOutside(m, () -> m.write(size, new byte[1], 0, 1), size, 1);
            assertOutside(m, () -> m.zero(0, size + 1), 0, size + 1);
            assertOutside(m, () -> m.zero(8, -1), 8, -1);
            // gpa + len overflows a long: still refused, not wrapped around
            assertOutside(m, () -> m.getLong(Long.MAX_VALUE - 3), Long.MAX_VALUE - 3, 8);
            assertOutside(m, () -> m.discard(size, GuestMemory.PAGE_SIZE), size, GuestMemory.PAGE_SIZE);
            assertOutside(m, () -> m.sha256(size - 4096, 8192), size - 4096, 8192);
        }
    }

    private static void assertOutside(GuestMemory m, Executable access, long gpa, long len) {
        GuestMemoryException e = assertThrows(GuestMemoryException.class, access);
        assertEquals(gpa, e.address());
        assertEquals(len, e.length());
        String hex = "0x" + Long.toHexString(gpa);
        assertTrue(e.getMessage().contains(hex) && e.getMessage().contains("length " + len)
                && e.getMessage().contains("0x" + Long.toHexString(m.size())),
                "message should name " + hex + ", the length " + len + " and the size: " + e.getMessage());
    }

    @Test
    void zeroClearsExactlyTheRange() {
        try (GuestMemory m = GuestMemory.allocate(MIB)) {
            byte[] ones = new byte[100];
            Arrays.fill(ones, (byte) 1);
            m.write(1000, ones, 0, 100);
            m.zero(1010, 80);
            assertEquals(1, m.getByte(1009));
            assertEquals(0, m.getByte(1010));
            assertEquals(0, m.getByte(1089));
            assertEquals(1, m.getByte(1090));
        }
    }

    @Test
    void discardZeroesWholePagesAndLeavesThemUsable() {
        long page = GuestMemory.PAGE_SIZE;
        try (GuestMemory m = GuestMemory.allocate(8 * page)) {
            for (long p = 1; p <= 3; p++) {
                m.putLong(p * page, 0xabcdL + p);
                m.putLong(p * page + page - 8, 0x1234L + p);
            }
            m.discard(2 * page, page);
            assertEquals(0xabcdL + 1, m.getLong(page));
            assertEquals(0L, m.getLong(2 * page));
            assertEquals(0L, m.getLong(3 * page - 8));
            assertEquals(0xabcdL + 3, m.getLong(3 * page));
            m.putLong(2 * page + 16, 42);
            assertEquals(42L, m.getLong(2 * page + 16));

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.discard(page + 8, page));
            assertTrue(e.getMessage().contains("0x1008"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> m.discard(page, 100));
        }
    }

    @Test
    void reprotectKeepsContentsAndWritability() {
        long page = GuestMemory.PAGE_SIZE;
        try (GuestMemory m = GuestMemory.allocate(4 * page)) {
            m.putLong(page, 77);
            m.reprotect(page, 2 * page);
            assertEquals(77L, m.getLong(page));
            m.putLong(page + 8, 78);
            assertEquals(78L, m.getLong(page + 8));
            assertThrows(IllegalArgumentException.class, () -> m.reprotect(1, page));
        }
    }

    @Test
    void largeSparseAllocationCostsOnlyTouchedPages() {
        try (GuestMemory m = GuestMemory.allocate(4 * GIB)) {
            assertEquals(4 * GIB, m.size());
            m.putLong(4 * GIB - 8, 0x0123456789abcdefL);
            m.putLong(2 * GIB + 4096, -1L);
            assertEquals(0x0123456789abcdefL, m.getLong(4 * GIB - 8));
            assertEquals(-1L, m.getLong(2 * GIB + 4096));
            assertEquals(0L, m.getLong(3 * GIB));
            assertThrows(GuestMemoryException.class, () -> m.getByte(4 * GIB));
            m.discard(4 * GIB - GuestMemory.PAGE_SIZE, GuestMemory.PAGE_SIZE);
            assertEquals(0L, m.getLong(4 * GIB - 8));
        }
    }

    @Test
    void sha256CoversTheRange() throws Exception {
        try (GuestMemory m = GuestMemory.allocate(4 * MIB)) {
            byte[] zeros = new byte[(int) (3 * MIB)];
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(zeros), m.sha256(MIB, 3 * MIB));
            byte[] before = m.sha256(0, 4 * MIB);
            m.putByte(4 * MIB - 1, (byte) 1);
            assertTrue(!Arrays.equals(before, m.sha256(0, 4 * MIB)), "a changed last byte must change the digest");
        }
    }

    @Test
    void sizeMustBeWholePages() {
        assertThrows(IllegalArgumentException.class, () -> GuestMemory.allocate(0));
        assertThrows(IllegalArgumentException.class, () -> GuestMemory.allocate(-4096));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GuestMemory.allocate(5000));
        assertTrue(e.getMessage().contains("5000"), e.getMessage());
    }

    @Test
    void closedMemoryRefusesAccessAndClosesOnce() {
        GuestMemory m = GuestMemory.allocate(MIB);
        m.putInt(0, 5);
        m.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.getInt(0x40));
        assertTrue(e.getMessage().contains("closed") && e.getMessage().contains("0x40"), e.getMessage());
        m.close();
    }
}
