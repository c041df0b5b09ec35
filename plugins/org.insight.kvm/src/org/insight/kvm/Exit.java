package org.insight.kvm;

import java.util.Arrays;
import java.util.HexFormat;

/** Why {@link Vcpu#run()} returned: the decoded {@code kvm_run} exit. */
public sealed interface Exit {

    /**
     * Port I/O ({@code KVM_EXIT_IO}): {@code count} accesses of {@code size} bytes (1, 2 or 4) at {@code port}.
     * For an OUT, {@code data} holds the {@code size * count} bytes written, little-endian. For an IN it holds
     * the bytes KVM will hand the guest, which the VMM sets with {@link Vcpu#completeIn(byte[])} before the next run.
     * <p>
     * Where RIP points at this exit depends on the KVM implementation. The fast PIO path of VMX and SVM
     * stops at the instruction (measured with kvm_amd) and skips it on the next run, unless the VMM has
     * changed RIP meanwhile. An emulated OUT (PVM, as the C prototype measured) has already moved RIP past it.
     */
    record Io(int port, boolean out, int size, int count, byte[] data) implements Exit {
        public Io {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        /** The first access's value, zero-extended: for an OUT of 1, 2 or 4 bytes, what the guest wrote. */
        public long value() {
            long v = 0;
            for (int i = Math.min(size, data.length) - 1; i >= 0; i--) {
                v = v << 8 | (data[i] & 0xff);
            }
            return v;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Io x && port == x.port && out == x.out && size == x.size && count == x.count
                    && Arrays.equals(data, x.data);
        }

        @Override
        public int hashCode() {
            return ((port * 31 + Boolean.hashCode(out)) * 31 + size * 7 + count) * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Io[" + (out ? "out" : "in") + " port=0x" + Integer.toHexString(port) + " size=" + size
                    + " count=" + count + " data=" + HexFormat.of().formatHex(data) + "]";
        }
    }

    /** Memory-mapped I/O to a guest physical address no memory slot covers ({@code KVM_EXIT_MMIO}). */
    record Mmio(long address, boolean write, byte[] data) implements Exit {
        public Mmio {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Mmio x && address == x.address && write == x.write && Arrays.equals(data, x.data);
        }

        @Override
        public int hashCode() {
            return (Long.hashCode(address) * 31 + Boolean.hashCode(write)) * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Mmio[" + (write ? "write" : "read") + " address=0x" + Long.toHexString(address)
                    + " data=" + HexFormat.of().formatHex(data) + "]";
        }
    }

    /** KVM_RUN was interrupted ({@code EINTR}, {@code KVM_EXIT_INTR}): a {@link Vcpu#kick()} or another signal. */
    record Interrupted() implements Exit {
    }

    /** The guest shut down, e.g. a triple fault ({@code KVM_EXIT_SHUTDOWN}). */
    record Shutdown() implements Exit {
    }

    /** The guest executed HLT ({@code KVM_EXIT_HLT}). */
    record Hlt() implements Exit {
    }

    /** The hardware refused to enter the guest ({@code KVM_EXIT_FAIL_ENTRY}); the reason is vendor-specific. */
    record FailEntry(long hardwareReason) implements Exit {
        @Override
        public String toString() {
            return "FailEntry[hardwareReason=0x" + Long.toHexString(hardwareReason) + "]";
        }
    }

    /** KVM could not handle the exit itself ({@code KVM_EXIT_INTERNAL_ERROR}), e.g. emulation failed (suberror 1). */
    record InternalError(int suberror, long[] data) implements Exit {
        public InternalError {
            data = data.clone();
        }

        @Override
        public long[] data() {
            return data.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof InternalError x && suberror == x.suberror && Arrays.equals(data, x.data);
        }

        @Override
        public int hashCode() {
            return suberror * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder("InternalError[suberror=" + suberror + " data=");
            for (int i = 0; i < data.length; i++) {
                s.append(i == 0 ? "" : ",").append("0x").append(Long.toHexString(data[i]));
            }
            return s.append(']').toString();
        }
    }

    /** An exit reason this binding does not decode. */
    record Unknown(int reason) implements Exit {
    }
}
