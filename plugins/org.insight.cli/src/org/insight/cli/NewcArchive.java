package org.insight.cli;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A cpio archive in the "newc" format, the one the Linux kernel unpacks as an initramfs
 * (Documentation/driver-api/early-userspace/buffer-format.rst). Written here rather than with the cpio tool so
 * that device nodes need no root and the bytes are reproducible: every time stamp and owner is zero, and inode
 * numbers count up from 1 in the order entries are added. Parents must be added before what they hold.
 */
final class NewcArchive {
    static final String MAGIC = "070701";
    static final String TRAILER = "TRAILER!!!";
    static final int S_IFDIR = 0040000;
    static final int S_IFREG = 0100000;
    static final int S_IFCHR = 0020000;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private int nextInode = 1;
    private boolean finished;

    NewcArchive directory(String name, int permissions) {
        return entry(name, S_IFDIR | permissions, 2, 0, 0, new byte[0]);
    }

    NewcArchive file(String name, int permissions, byte[] content) {
        return entry(name, S_IFREG | permissions, 1, 0, 0, content);
    }

    NewcArchive characterDevice(String name, int permissions, int major, int minor) {
        return entry(name, S_IFCHR | permissions, 1, major, minor, new byte[0]);
    }

    /** Appends the trailer and returns the whole archive; nothing can be added afterwards. */
    byte[] finish() {
        entry(TRAILER, 0, 1, 0, 0, new byte[0], 0);
        finished = true;
        return out.toByteArray();
    }

    private NewcArchive entry(String name, int mode, int links, int rdevMajor, int rdevMinor, byte[] content) {
        if (name.isEmpty() || name.startsWith("/") || name.equals(TRAILER)) {
            throw new IllegalArgumentException("initramfs entry name '" + name
                    + "': must be relative, not empty and not the trailer name");
        }
        return entry(name, mode, links, rdevMajor, rdevMinor, content, nextInode++);
    }

    private NewcArchive entry(String name, int mode, int links, int rdevMajor, int rdevMinor, byte[] content,
            int inode) {
        if (finished) {
            throw new IllegalStateException("initramfs entry '" + name + "' added after the trailer");
        }
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        StringBuilder header = new StringBuilder(110).append(MAGIC);
        for (long field : new long[] { inode, mode, 0 /* uid */, 0 /* gid */, links, 0 /* mtime */,
                content.length, 0 /* devmajor */, 0 /* devminor */, rdevMajor, rdevMinor, nameBytes.length + 1,
                0 /* check */ }) {
            header.append(String.format("%08X", field));
        }
        out.writeBytes(header.toString().getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(nameBytes);
        out.write(0);
        pad();
        out.writeBytes(content);
        pad();
        return this;
    }

    /** The header with its name, and each file's data, start on a 4-byte boundary. */
    private void pad() {
        while (out.size() % 4 != 0) {
            out.write(0);
        }
    }
}
