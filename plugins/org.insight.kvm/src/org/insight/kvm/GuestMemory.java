package org.insight.kvm;

import com.sun.jna.Pointer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Guest physical memory: one anonymous private host mapping, reserved without commitment
 * ({@code MAP_NORESERVE}), so a large guest costs only the pages it touches. Guest physical address
 * {@code gpa} is byte {@code gpa} of the mapping once {@link Vm#mapMemory(int, long, GuestMemory)} maps it at
 * guest physical 0. Works without KVM. Values are little-endian.
 * <p>
 * Every access is checked against {@code [0, size)} and fails with a {@link GuestMemoryException} naming the
 * address and length. Access after {@link #close()} throws IllegalStateException. Closing while another
 * thread (or a running vCPU) uses the memory is the caller's error.
 */
public final class GuestMemory implements AutoCloseable {
    /** The host page size; {@link #discard} and {@link #reprotect} work on whole pages. */
    public static final long PAGE_SIZE = 4096;

    private final long size;
    private final long host;
    private volatile Pointer base;

    private GuestMemory(long host, long size) {
        this.host = host;
        this.size = size;
        this.base = new Pointer(host);
    }

    /** Reserves {@code bytes} of zeroed guest memory; {@code bytes} must be a positive multiple of 4096. */
    public static GuestMemory allocate(long bytes) {
        if (bytes <= 0 || bytes % PAGE_SIZE != 0) {
            throw new IllegalArgumentException("guest memory size must be a positive multiple of 4096, got " + bytes);
        }
        long host = Libc.mmap(0, bytes, Libc.PROT_READ | Libc.PROT_WRITE,
                Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS | Libc.MAP_NORESERVE, -1, 0);
        if (host == Libc.MAP_FAILED) {
            int errno = Libc.errno();
            throw new GuestMemoryException(String.format("mmap of 0x%x bytes of guest memory failed: %s",
                    bytes, ErrnoNames.describe(errno)), 0, bytes);
        }
        return new GuestMemory(host, bytes);
    }

    public long size() {
        return size;
    }

    /** The host virtual address of guest physical 0 (what KVM_SET_USER_MEMORY_REGION takes). */
    public long hostAddress() {
        return host;
    }

    public byte getByte(long gpa) {
        return at(gpa, 1).getByte(gpa);
    }

    public short getShort(long gpa) {
        return at(gpa, 2).getShort(gpa);
    }

    public int getInt(long gpa) {
        return at(gpa, 4).getInt(gpa);
    }

    public long getLong(long gpa) {
        return at(gpa, 8).getLong(gpa);
    }

    public void putByte(long gpa, byte value) {
        at(gpa, 1).setByte(gpa, value);
    }

    public void putShort(long gpa, short value) {
        at(gpa, 2).setShort(gpa, value);
    }

    public void putInt(long gpa, int value) {
        at(gpa, 4).setInt(gpa, value);
    }

    public void putLong(long gpa, long value) {
        at(gpa, 8).setLong(gpa, value);
    }

    /** Copies {@code len} bytes at {@code gpa} into {@code dst[off..off+len)}. */
    public void read(long gpa, byte[] dst, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, dst.length);
        at(gpa, len).read(gpa, dst, off, len);
    }

    /** Copies {@code src[off..off+len)} to {@code len} bytes at {@code gpa}. */
    public void write(long gpa, byte[] src, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, src.length);
        at(gpa, len).write(gpa, src, off, len);
    }

    /** {@code len} bytes at {@code gpa} as a new array. */
    public byte[] bytes(long gpa, int len) {
        byte[] b = new byte[len];
        read(gpa, b, 0, len);
        return b;
    }

    /** Writes zeroes over {@code [gpa, gpa+len)}; the pages stay committed. */
    public void zero(long gpa, long len) {
        at(gpa, len).setMemory(gpa, len, (byte) 0);
    }

    /**
     * Drops the host pages behind {@code [gpa, gpa+len)} (madvise MADV_DONTNEED): they read as zero again and
     * stop using host memory. KVM's MMU notifier also zaps every shadow translation of those pages, which is
     * how stale guest translations go away after the VMM edits guest page tables. Page-aligned only.
     */
    public void discard(long gpa, long len) {
        Pointer p = pages(gpa, len, "discard");
        if (Libc.madvise(Pointer.nativeValue(p) + gpa, len, Libc.MADV_DONTNEED) != 0) {
            throw failure("madvise(MADV_DONTNEED)", gpa, len, Libc.errno());
        }
    }

    /**
     * Makes {@code [gpa, gpa+len)} read-only on the host and then writable again, keeping the contents. The
     * MMU notifier drops KVM's writable shadow translations of those pages: the way to make a reduced guest
     * permission take effect. Page-aligned only.
     */
    public void reprotect(long gpa, long len) {
        Pointer p = pages(gpa, len, "reprotect");
        long addr = Pointer.nativeValue(p) + gpa;
        if (Libc.mprotect(addr, len, Libc.PROT_READ) != 0) {
            throw failure("mprotect(PROT_READ)", gpa, len, Libc.errno());
        }
        if (Libc.mprotect(addr, len, Libc.PROT_READ | Libc.PROT_WRITE) != 0) {
            throw failure("mprotect(PROT_READ|PROT_WRITE)", gpa, len, Libc.errno());
        }
    }

    /** SHA-256 of {@code [gpa, gpa+len)}: a cheap way to compare guest memory between runs. */
    public byte[] sha256(long gpa, long len) {
        Pointer p = at(gpa, len);
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
        byte[] chunk = new byte[(int) Math.min(len, 1 << 20)];
        for (long done = 0; done < len; ) {
            int n = (int) Math.min(chunk.length, len - done);
            p.read(gpa + done, chunk, 0, n);
            digest.update(chunk, 0, n);
            done += n;
        }
        return digest.digest();
    }

    /** Unmaps the memory. Idempotent. */
    @Override
    public synchronized void close() {
        if (base == null) {
            return;
        }
        base = null;
        if (Libc.munmap(host, size) != 0) {
            throw failure("munmap", 0, size, Libc.errno());
        }
    }

    @Override
    public String toString() {
        return String.format("GuestMemory[0x%x bytes at host 0x%x%s]", size, host, base == null ? ", closed" : "");
    }

    private Pointer at(long gpa, long len) {
        Pointer p = base;
        if (p == null) {
            throw new IllegalStateException(String.format(
                    "guest memory is closed (access at guest physical 0x%x, length %d)", gpa, len));
        }
        if (len < 0 || gpa < 0 || gpa > size - len) {
            throw new GuestMemoryException(String.format(
                    "guest physical access at 0x%x, length %d, is outside guest memory [0x0, 0x%x)", gpa, len, size),
                    gpa, len);
        }
        return p;
    }

    private Pointer pages(long gpa, long len, String operation) {
        Pointer p = at(gpa, len);
        if (gpa % PAGE_SIZE != 0 || len % PAGE_SIZE != 0) {
            throw new IllegalArgumentException(String.format(
                    "%s needs whole pages: guest physical 0x%x, length 0x%x is not 4096-aligned", operation, gpa, len));
        }
        return p;
    }

    private GuestMemoryException failure(String operation, long gpa, long len, int errno) {
        return new GuestMemoryException(String.format("%s of guest physical 0x%x, length 0x%x failed: %s",
                operation, gpa, len, ErrnoNames.describe(errno)), gpa, len);
    }
}
