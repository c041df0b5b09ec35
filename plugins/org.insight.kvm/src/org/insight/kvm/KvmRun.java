package org.insight.kvm;

import com.sun.jna.Pointer;

/**
 * The layout of {@code struct kvm_run}, the page(s) a vCPU fd maps, and the pure decoding of its exit.
 * Decoding reads only the given memory, so tests drive it with fake {@code kvm_run} contents.
 */
final class KvmRun {
    private KvmRun() {
    }

    static final int IMMEDIATE_EXIT = 1;            // __u8, in
    static final int EXIT_REASON = 8;               // __u32, out
    // the exit union starts at 32
    static final int IO_DIRECTION = 32;             // __u8
    static final int IO_SIZE = 33;                  // __u8
    static final int IO_PORT = 34;                  // __u16
    static final int IO_COUNT = 36;                 // __u32
    static final int IO_DATA_OFFSET = 40;           // __u64, from the start of kvm_run
    static final int MMIO_PHYS_ADDR = 32;           // __u64
    static final int MMIO_DATA = 40;                // __u8[8]
    static final int MMIO_LEN = 48;                 // __u32
    static final int MMIO_IS_WRITE = 52;            // __u8
    static final int FAIL_ENTRY_REASON = 32;        // __u64
    static final int INTERNAL_SUBERROR = 32;        // __u32
    static final int INTERNAL_NDATA = 36;           // __u32
    static final int INTERNAL_DATA = 40;            // __u64[16]
    static final int INTERNAL_DATA_MAX = 16;
    static final int KVM_VALID_REGS = 288;          // __u64
    static final int KVM_DIRTY_REGS = 296;          // __u64
    static final int SYNC_REGS = 304;               // s.regs.regs: struct kvm_regs
    static final int STRUCT_SIZE = 2352;

    static final long KVM_SYNC_X86_REGS = 1;

    static final int EXIT_UNKNOWN = 0;
    static final int EXIT_IO = 2;
    static final int EXIT_HLT = 5;
    static final int EXIT_MMIO = 6;
    static final int EXIT_SHUTDOWN = 8;
    static final int EXIT_FAIL_ENTRY = 9;
    static final int EXIT_INTR = 10;
    static final int EXIT_INTERNAL_ERROR = 17;
    static final int IO_IN = 0;
    static final int IO_OUT = 1;

    /**
     * Decodes the exit described by the {@code kvm_run} at {@code run}, whose mapping is {@code mappedSize}
     * bytes long (the I/O data lives in that mapping, after the struct).
     */
    static Exit decode(Pointer run, long mappedSize) {
        int reason = run.getInt(EXIT_REASON);
        switch (reason) {
            case EXIT_IO: {
                boolean out = run.getByte(IO_DIRECTION) == IO_OUT;
                int size = run.getByte(IO_SIZE) & 0xff;
                int port = run.getShort(IO_PORT) & 0xffff;
                int count = run.getInt(IO_COUNT);
                long offset = run.getLong(IO_DATA_OFFSET);
                long length = (long) size * Integer.toUnsignedLong(count);
                if (offset < STRUCT_SIZE || length > mappedSize || offset > mappedSize - length) {
                    throw new KvmException("decoding KVM_EXIT_IO", String.format(
                            "data of %d bytes at offset 0x%x lies outside the 0x%x-byte kvm_run mapping (port 0x%x)",
                            length, offset, mappedSize, port));
                }
                return new Exit.Io(port, out, size, count, run.getByteArray(offset, (int) length));
            }
            case EXIT_MMIO: {
                int len = run.getInt(MMIO_LEN);
                if (len < 0 || len > 8) {
                    throw new KvmException("decoding KVM_EXIT_MMIO", "length " + len + " exceeds the 8-byte data field");
                }
                return new Exit.Mmio(run.getLong(MMIO_PHYS_ADDR), run.getByte(MMIO_IS_WRITE) != 0,
                        run.getByteArray(MMIO_DATA, len));
            }
            case EXIT_INTR:
                return new Exit.Interrupted();
            case EXIT_SHUTDOWN:
                return new Exit.Shutdown();
            case EXIT_HLT:
                return new Exit.Hlt();
            case EXIT_FAIL_ENTRY:
                return new Exit.FailEntry(run.getLong(FAIL_ENTRY_REASON));
            case EXIT_INTERNAL_ERROR: {
                int n = Math.min(Math.max(run.getInt(INTERNAL_NDATA), 0), INTERNAL_DATA_MAX);
                long[] data = new long[n];
                run.read(INTERNAL_DATA, data, 0, n);
                return new Exit.InternalError(run.getInt(INTERNAL_SUBERROR), data);
            }
            default:
                return new Exit.Unknown(reason);
        }
    }

    /**
     * Gives the guest the data of the IN or MMIO read that {@code exit} (the last exit of this
     * {@code kvm_run}) asked for; KVM copies it to the guest on the next KVM_RUN.
     */
    static void completeIn(Pointer run, Exit exit, byte[] data) {
        if (exit instanceof Exit.Io io && !io.out()) {
            int expected = io.size() * io.count();
            if (data.length != expected) {
                throw new IllegalArgumentException(String.format(
                        "IN from port 0x%x needs %d bytes (%d x %d), got %d", io.port(), expected, io.count(), io.size(), data.length));
            }
            run.write(run.getLong(IO_DATA_OFFSET), data, 0, data.length);
        } else if (exit instanceof Exit.Mmio mmio && !mmio.write()) {
            if (data.length != mmio.data().length) {
                throw new IllegalArgumentException(String.format(
                        "MMIO read at 0x%x needs %d bytes, got %d", mmio.address(), mmio.data().length, data.length));
            }
            run.write(MMIO_DATA, data, 0, data.length);
        } else {
            throw new IllegalStateException("the last exit is not an IN or an MMIO read: " + exit);
        }
    }
}
