package org.insight.kvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Memory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Exit decoding is pure: it is driven here with fake kvm_run contents, laid out as the header says. */
class KvmRunDecodeTest {
    /** Like a real vCPU mapping: kvm_run in the first page, the PIO data page at offset 4096. */
    private static final int MAPPING = 3 * 4096;
    private static final int PIO_PAGE = 4096;

    private Memory run;

    @BeforeEach
    void fakeRun() {
        run = new Memory(MAPPING);
        run.clear();
    }

    @AfterEach
    void free() {
        run.close();
    }

    private void io(int direction, int size, int port, int count, long dataOffset) {
        run.setInt(KvmRun.EXIT_REASON, KvmRun.EXIT_IO);
        run.setByte(KvmRun.IO_DIRECTION, (byte) direction);
        run.setByte(KvmRun.IO_SIZE, (byte) size);
        run.setShort(KvmRun.IO_PORT, (short) port);
        run.setInt(KvmRun.IO_COUNT, count);
        run.setLong(KvmRun.IO_DATA_OFFSET, dataOffset);
    }

    @Test
    void outDecodesPortSizeAndData() {
        io(KvmRun.IO_OUT, 4, 0x3f8, 1, PIO_PAGE);
        run.setInt(PIO_PAGE, 500500);
        Exit exit = KvmRun.decode(run, MAPPING);
        assertEquals(new Exit.Io(0x3f8, true, 4, 1, new byte[] { 0x14, (byte) 0xa3, 0x07, 0x00 }), exit);
        assertEquals(500500L, ((Exit.Io) exit).value());
    }

    @Test
    void highPortAndStringOutKeepAllData() {
        io(KvmRun.IO_OUT, 2, 0xfff0, 3, PIO_PAGE + 16);
        run.write(PIO_PAGE + 16, new byte[] { 1, 2, 3, 4, 5, 6 }, 0, 6);
        Exit.Io exit = (Exit.Io) KvmRun.decode(run, MAPPING);
        assertEquals(0xfff0, exit.port());
        assertEquals(3, exit.count());
        assertArrayEquals(new byte[] { 1, 2, 3, 4, 5, 6 }, exit.data());
        assertEquals(0x0201L, exit.value());
    }

    @Test
    void inIsCompletedByWritingTheDataPage() {
        io(KvmRun.IO_IN, 2, 0x60, 2, PIO_PAGE);
        Exit exit = KvmRun.decode(run, MAPPING);
        assertEquals(new Exit.Io(0x60, false, 2, 2, new byte[4]), exit);
        KvmRun.completeIn(run, exit, new byte[] { 9, 8, 7, 6 });
        assertArrayEquals(new byte[] { 9, 8, 7, 6 }, run.getByteArray(PIO_PAGE, 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KvmRun.completeIn(run, exit, new byte[2]));
        assertTrue(e.getMessage().contains("0x60") && e.getMessage().contains("4 bytes"), e.getMessage());
    }

    @Test
    void ioDataOutsideTheMappingIsRefused() {
        io(KvmRun.IO_OUT, 4, 0x3f8, 1, MAPPING - 2);
        KvmException e = assertThrows(KvmException.class, () -> KvmRun.decode(run, MAPPING));
        assertTrue(e.getMessage().contains("0x3f8") && e.getMessage().contains("outside"), e.getMessage());
        io(KvmRun.IO_OUT, 4, 0x3f8, 1, 8);   // inside kvm_run itself: never a real data offset
        assertThrows(KvmException.class, () -> KvmRun.decode(run, MAPPING));
        io(KvmRun.IO_OUT, 4, 0x3f8, -1, PIO_PAGE);   // count is unsigned: 4 Gi accesses do not fit
        assertThrows(KvmException.class, () -> KvmRun.decode(run, MAPPING));
    }

    @Test
    void mmioWriteAndRead() {
        run.setInt(KvmRun.EXIT_REASON, KvmRun.EXIT_MMIO);
        run.setLong(KvmRun.MMIO_PHYS_ADDR, 0xfee00300L);
        run.write(KvmRun.MMIO_DATA, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, 0, 8);
        run.setInt(KvmRun.MMIO_LEN, 4);
        run.setByte(KvmRun.MMIO_IS_WRITE, (byte) 1);
        assertEquals(new Exit.Mmio(0xfee00300L, true, new byte[] { 1, 2, 3, 4 }), KvmRun.decode(run, MAPPING));

        run.setByte(KvmRun.MMIO_IS_WRITE, (byte) 0);
        run.setInt(KvmRun.MMIO_LEN, 2);
        Exit read = KvmRun.decode(run, MAPPING);
        assertEquals(new Exit.Mmio(0xfee00300L, false, new byte[] { 1, 2 }), read);
        KvmRun.completeIn(run, read, new byte[] { 0x55, 0x66 });
        assertArrayEquals(new byte[] { 0x55, 0x66, 3 }, run.getByteArray(KvmRun.MMIO_DATA, 3));

        run.setInt(KvmRun.MMIO_LEN, 9);
        assertThrows(KvmException.class, () -> KvmRun.decode(run, MAPPING));
    }

    @Test
    void simpleExits() {
        run.setInt(KvmRun.EXIT_REASON, KvmRun.EXIT_INTR);
        assertEquals(new Exit.Interrupted(), KvmRun.decode(run, MAPPING));
        run.setInt(KvmRun.EXIT_REASON, KvmRun.EXIT_SHUTDOWN);
        assertEquals(new Exit.Shutdown(), KvmRun.decode(run, MAPPING));
        run.setInt(KvmRun.EXIT_REASON, KvmRun.EXIT_HLT);
        assertEquals(new Exit.Hlt(), KvmRun.decode(run, MAPPING));
        run.setInt(KvmRun.EXIT_REASON, KvmRun.EXIT_FAIL_ENTRY);
        run.setLong(KvmRun.FAIL_ENTRY_REASON, 0x80000021L);
        assertEquals(new Exit.FailEntry(0x80000021L), KvmRun.decode(run, MAPPING));
        run.setInt(KvmRun.EXIT_REASON, 1234);
        assertEquals(new Exit.Unknown(1234), KvmRun.decode(run, MAPPING));
        run.setInt(KvmRun.EXIT_REASON, KvmRun.EXIT_UNKNOWN);
        assertEquals(new Exit.Unknown(0), KvmRun.decode(run, MAPPING));
    }

    @Test
    void internalErrorCarriesItsData() {
        run.setInt(KvmRun.EXIT_REASON, KvmRun.EXIT_INTERNAL_ERROR);
        run.setInt(KvmRun.INTERNAL_SUBERROR, 1);
        run.setInt(KvmRun.INTERNAL_NDATA, 3);
        run.write(KvmRun.INTERNAL_DATA, new long[] { 0x10, 0x20, 0x30, 0x40 }, 0, 4);
        Exit exit = KvmRun.decode(run, MAPPING);
        assertEquals(new Exit.InternalError(1, new long[] { 0x10, 0x20, 0x30 }), exit);
        assertTrue(exit.toString().contains("suberror=1") && exit.toString().contains("0x30"), exit.toString());

        run.setInt(KvmRun.INTERNAL_NDATA, 99);   // never read past data[16]
        assertEquals(KvmRun.INTERNAL_DATA_MAX, ((Exit.InternalError) KvmRun.decode(run, MAPPING)).data().length);
    }

    @Test
    void completeInNeedsAnInOrMmioRead() {
        io(KvmRun.IO_OUT, 1, 0x80, 1, PIO_PAGE);
        Exit out = KvmRun.decode(run, MAPPING);
        assertThrows(IllegalStateException.class, () -> KvmRun.completeIn(run, out, new byte[1]));
        assertThrows(IllegalStateException.class, () -> KvmRun.completeIn(run, null, new byte[1]));
    }

    @Test
    void exitValuesCompareByContentAndDoNotShareArrays() {
        byte[] data = { 1, 2 };
        Exit.Io io = new Exit.Io(1, true, 1, 2, data);
        data[0] = 9;
        assertArrayEquals(new byte[] { 1, 2 }, io.data());
        io.data()[1] = 9;
        assertArrayEquals(new byte[] { 1, 2 }, io.data());
        assertEquals(io.hashCode(), new Exit.Io(1, true, 1, 2, new byte[] { 1, 2 }).hashCode());
        assertNotEquals(io, new Exit.Io(1, true, 1, 2, new byte[] { 1, 3 }));
        assertEquals("Io[out port=0x1 size=1 count=2 data=0102]", io.toString());
    }
}
