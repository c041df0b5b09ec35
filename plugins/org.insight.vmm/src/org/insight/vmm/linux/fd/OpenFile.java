package org.insight.vmm.linux.fd;

/**
 * An open file description: what a descriptor refers to, shared by the descriptors that dup made of it. It holds the
 * status flags that F_GETFL and F_SETFL see (the access mode and O_NONBLOCK), while the close-on-exec flag belongs
 * to each descriptor ({@link FdTable}). The last descriptor closed releases it ({@link #released()}).
 */
public abstract sealed class OpenFile permits StdStream, PipeEnd, EventFd, Epoll, HostFile, SignalFd {
	public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_ACCMODE = 3;
	public static final int O_APPEND = 02000, O_NONBLOCK = 04000, O_CLOEXEC = 02000000;
	/** The status flags F_SETFL may change (Linux also takes O_ASYNC, O_DIRECT, O_NOATIME, which mean nothing here). */
	public static final int SETTABLE = O_APPEND | O_NONBLOCK;

	/** st_mode of a FIFO (the standard streams and pipes): S_IFIFO | 0600. */
	public static final int FIFO_MODE = 0010600;
	/** st_mode of an anonymous inode (eventfd): 0600 and no file type, as Linux reports it. */
	public static final int ANON_MODE = 0600;

	private int statusFlags;
	private int references;

	OpenFile(int accessMode, int statusFlags) {
		this.statusFlags = (accessMode & O_ACCMODE) | (statusFlags & SETTABLE);
	}

	/** What F_GETFL answers: the access mode and the status flags. */
	public final int statusFlags() {
		return statusFlags;
	}

	/** F_SETFL: only the settable flags change; the access mode stays. */
	public final void statusFlags(int flags) {
		statusFlags = (statusFlags & ~SETTABLE) | (flags & SETTABLE);
	}

	public final boolean nonBlocking() {
		return (statusFlags & O_NONBLOCK) != 0;
	}

	public final boolean readable() {
		int mode = statusFlags & O_ACCMODE;
		return mode == O_RDONLY || mode == O_RDWR;
	}

	public final boolean writable() {
		int mode = statusFlags & O_ACCMODE;
		return mode == O_WRONLY || mode == O_RDWR;
	}

	/** st_mode for fstat. */
	public abstract int mode();

	/** A name for reports: "pipe", "eventfd", "stdout". */
	public abstract String describe();

	/** The wait list of the object behind this file, where blocked readers, writers and pollers wait; null if none. */
	public abstract WaitList waiters();

	/** Whether some descriptor still refers to this description. */
	public final boolean isOpen() {
		return references > 0;
	}

	final void retain() {
		references++;
	}

	/** Drops one reference; true (after {@link #released()}) when it was the last. */
	final boolean release() {
		if (--references == 0) {
			released();
			return true;
		}
		return false;
	}

	/** The last descriptor on this description was closed. */
	abstract void released();
}
