package org.insight.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

class NewcArchiveTest {

    /** One entry as an independent reader of the newc format sees it. */
    record Entry(String name, int inode, int mode, int links, int mtime, int rdevMajor, int rdevMinor, byte[] data) {
    }

    static List<Entry> read(byte[] archive) {
        List<Entry> entries = new ArrayList<>();
        int at = 0;
        while (true) {
            assertEquals(0, at % 4, "header at " + at + " is not 4-byte aligned");
            assertEquals("070701", new String(archive, at, 6, StandardCharsets.US_ASCII), "magic at " + at);
            int[] f = new int[13];
            for (int i = 0; i < 13; i++) {
                f[i] = Integer.parseUnsignedInt(new String(archive, at + 6 + 8 * i, 8, StandardCharsets.US_ASCII), 16);
            }
            int nameSize = f[11];
            String name = new String(archive, at + 110, nameSize - 1, StandardCharsets.UTF_8);
            assertEquals(0, archive[at + 110 + nameSize - 1], "name of " + name + " is NUL-terminated");
            int dataAt = align4(at + 110 + nameSize);
            byte[] data = Arrays.copyOfRange(archive, dataAt, dataAt + f[6]);
            at = align4(dataAt + f[6]);
            if (name.equals("TRAILER!!!")) {
                assertEquals(archive.length, at, "nothing after the trailer");
                return entries;
            }
            assertEquals(0, f[2], "uid of " + name);
            assertEquals(0, f[3], "gid of " + name);
            entries.add(new Entry(name, f[0], f[1], f[4], f[5], f[9], f[10], data));
        }
    }

    private static int align4(int n) {
        return (n + 3) & ~3;
    }

    @Test
    void theInitramfsHoldsTheConsoleDeviceTheProgramAndTheMarker() {
        byte[] program = "\u007fELF and some bytes of odd length".getBytes(StandardCharsets.ISO_8859_1);
        List<Entry> entries = read(QemuPeer.initramfs(program));

        assertEquals(List.of("dev", "dev/console", "init", "insight-start"), entries.stream().map(Entry::name).toList());
        Entry dev = entries.get(0);
        assertEquals(0040755, dev.mode());
        assertEquals(2, dev.links());
        Entry console = entries.get(1);
        assertEquals(0020600, console.mode());
        assertEquals(5, console.rdevMajor());
        assertEquals(1, console.rdevMinor());
        assertEquals(0, console.data().length);
        Entry init = entries.get(2);
        assertEquals(0100755, init.mode());
        assertArrayEquals(program, init.data());
        Entry marker = entries.get(3);
        assertEquals(0100755, marker.mode());
        // printable first bytes: the kernel's exec gives ENOEXEC without asking modprobe for a binfmt handler
        assertEquals(true, marker.data().length > 4 && new String(marker.data(), 0, 4, StandardCharsets.US_ASCII)
                .chars().allMatch(c -> c >= ' ' && c < 0x7f));
        assertEquals(List.of(1, 2, 3, 4), entries.stream().map(Entry::inode).toList());
        assertEquals(List.of(0, 0, 0, 0), entries.stream().map(Entry::mtime).toList());
    }

    @Test
    void theSameInputGivesTheSameBytes() {
        byte[] program = { 1, 2, 3 };
        assertArrayEquals(QemuPeer.initramfs(program), QemuPeer.initramfs(program));
    }

    @Test
    void absoluteNamesAndEntriesAfterTheTrailerAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new NewcArchive().file("/init", 0755, new byte[0]));
        NewcArchive archive = new NewcArchive();
        archive.finish();
        assertThrows(IllegalStateException.class, () -> archive.directory("dev", 0755));
    }
}
