package org.insight.vmm.linux;

import org.insight.vmm.memory.AddressSpace;

/**
 * The guest buffers of a read or write: one (read, write) or an iovec array (readv, writev), as {base, len} pairs,
 * with their total length.
 */
record IoVector(long[] iov, long total) {
	/** Linux's UIO_MAXIOV. */
	static final int IOV_MAX = 1024;

	static IoVector single(long buffer, long count) {
		return new IoVector(new long[] { buffer, count }, count);
	}

	/**
	 * The iovec array at {@code va}, or null when the count or a length is invalid (EINVAL), as Linux checks before
	 * any transfer.
	 */
	static IoVector read(AddressSpace memory, long va, long count) {
		if (count < 0 || count > IOV_MAX) {
			return null;
		}
		long[] iov = new long[(int) count * 2];
		long total = 0;
		for (int i = 0; i < iov.length; i += 2) {
			iov[i] = memory.readU64(va + 8L * i);
			iov[i + 1] = memory.readU64(va + 8L * i + 8);
			if (iov[i + 1] < 0) {
				return null;
			}
			total += iov[i + 1];
			if (total < 0) {
				return null;
			}
		}
		return new IoVector(iov, total);
	}

	/** Faults unless the first {@code len} bytes of the buffers are writable (before consuming what fills them). */
	void requireWritable(AddressSpace memory, long len) {
		long left = len;
		for (int i = 0; i < iov.length && left > 0; i += 2) {
			long chunk = Math.min(iov[i + 1], left);
			UserAccess.requireWritable(memory, iov[i], chunk);
			left -= chunk;
		}
	}

	/** Copies {@code len} guest bytes from offset {@code from} of the buffers. */
	byte[] gather(AddressSpace memory, long from, int len) {
		byte[] b = new byte[len];
		walk(from, len, (va, off, n) -> memory.copyIn(va, b, off, n));
		return b;
	}

	/** Copies {@code len} bytes of {@code b} into the buffers at offset {@code from}. */
	void scatter(AddressSpace memory, long from, byte[] b, int len) {
		walk(from, len, (va, off, n) -> memory.copyOut(va, b, off, n));
	}

	private interface Piece {
		void copy(long va, int off, int n);
	}

	private void walk(long from, int len, Piece piece) {
		long skip = from;
		int done = 0;
		for (int i = 0; i < iov.length && done < len; i += 2) {
			long size = iov[i + 1];
			if (skip >= size) {
				skip -= size;
				continue;
			}
			int n = (int) Math.min(size - skip, len - done);
			piece.copy(iov[i] + skip, done, n);
			done += n;
			skip = 0;
		}
	}
}
