package org.insight.vmm.linux.fd;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The process's descriptor table: descriptor number to open file description, with the close-on-exec flag per
 * descriptor. New descriptors take the lowest free number, as POSIX requires. The caller passes the limit
 * (RLIMIT_NOFILE's soft value) to each allocation.
 */
public final class FdTable {
	private final List<OpenFile> files = new ArrayList<>();
	private final BitSet cloexec = new BitSet();

	/** fds 0, 1 and 2: the standard streams. */
	public static FdTable standard() {
		FdTable table = new FdTable();
		for (int fd = 0; fd < 3; fd++) {
			table.install(fd, new StdStream(fd), false);
		}
		return table;
	}

	/** The description behind {@code fd}, or null when it is not open. */
	public OpenFile get(long fd) {
		return fd >= 0 && fd < files.size() ? files.get((int) fd) : null;
	}

	public boolean isOpen(long fd) {
		return get(fd) != null;
	}

	/** The lowest free descriptor at or above {@code from} and below {@code limit}, or -1. */
	public int lowestFree(int from, long limit) {
		for (int fd = Math.max(from, 0); fd < limit; fd++) {
			if (get(fd) == null) {
				return fd;
			}
		}
		return -1;
	}

	/** Puts {@code file} at the lowest free descriptor at or above {@code from}: the descriptor, or -1 (EMFILE). */
	public int allocate(OpenFile file, int from, long limit, boolean closeOnExec) {
		int fd = lowestFree(from, limit);
		if (fd >= 0) {
			install(fd, file, closeOnExec);
		}
		return fd;
	}

	/**
	 * Makes {@code fd} refer to {@code file} (dup2): whatever {@code fd} referred to before is closed, and returned
	 * (null if nothing), so the caller can let its waiters see the close.
	 */
	public OpenFile install(int fd, OpenFile file, boolean closeOnExec) {
		file.retain();
		OpenFile old = close(fd);
		while (files.size() <= fd) {
			files.add(null);
		}
		files.set(fd, file);
		cloexec.set(fd, closeOnExec);
		return old;
	}

	/** Closes {@code fd}: the description it referred to (null if it was not open). */
	public OpenFile close(long fd) {
		OpenFile file = get(fd);
		if (file == null) {
			return null;
		}
		files.set((int) fd, null);
		cloexec.clear((int) fd);
		while (!files.isEmpty() && files.get(files.size() - 1) == null) {
			files.remove(files.size() - 1);
		}
		file.release();
		return file;
	}

	public boolean closeOnExec(long fd) {
		return isOpen(fd) && cloexec.get((int) fd);
	}

	public void closeOnExec(int fd, boolean on) {
		if (isOpen(fd)) {
			cloexec.set(fd, on);
		}
	}

	/** How many descriptors are open. */
	public int openCount() {
		int n = 0;
		for (OpenFile f : files) {
			if (f != null) {
				n++;
			}
		}
		return n;
	}
}
