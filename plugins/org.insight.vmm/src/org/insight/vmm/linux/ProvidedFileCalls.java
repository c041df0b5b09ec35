package org.insight.vmm.linux;

import java.nio.charset.StandardCharsets;

import org.insight.vmm.linux.fd.HostFile;
import org.insight.vmm.linux.fd.OpenFile;
import org.insight.vmm.linux.fd.ProvidedFiles;
import org.insight.vmm.linux.fd.ProvidedFiles.Directory;
import org.insight.vmm.linux.fd.ProvidedFiles.Node;
import org.insight.vmm.sched.GuestThread;

/**
 * Paths and the provided read-only files ({@link ProvidedFiles}): open and openat, the path forms of stat and access,
 * and read, pread64, preadv, lseek and getdents64 on an open provided file. A path outside the provided tree is
 * ENOENT, as before there were provided files; asking to write a provided file (a write access mode, O_CREAT,
 * O_TRUNC, W_OK) is EROFS. The working directory is "/". What these calls answer depends only on the entries,
 * which a recording holds.
 */
final class ProvidedFileCalls {
	static final int ENXIO = 6, EACCES = 13, ENOTDIR = 20, EISDIR = 21, EROFS = 30, ENAMETOOLONG = 36;
	static final int AT_FDCWD = -100;
	static final int O_CREAT = 0100, O_TRUNC = 01000, O_DIRECTORY = 0200000, O_PATH = 010000000;
	static final int SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2, SEEK_DATA = 3, SEEK_HOLE = 4;
	static final int W_OK = 2, X_OK = 1;
	static final int DT_DIR = 4, DT_REG = 8;

	private ProvidedFileCalls() {
	}

	// ---------------------------------------------------------------- paths

	/** What a path names: a node, or (node null) the negative errno that says why not. */
	record Lookup(Node node, long error) {
		static Lookup failed(long error) {
			return new Lookup(null, error);
		}
	}

	/** The node {@code pathAddress} names, relative to {@code dirfd} (AT_FDCWD: "/"). */
	static Lookup resolve(LinuxProcess p, int dirfd, long pathAddress) {
		String path = UserAccess.path(p.memory(), pathAddress);
		if (path.isEmpty()) {
			return Lookup.failed(-Errno.ENOENT);
		}
		if (path.length() >= ProvidedFiles.PATH_MAX) {
			return Lookup.failed(-ENAMETOOLONG);
		}
		String base = "/";
		if (!path.startsWith("/") && dirfd != AT_FDCWD) {
			OpenFile dir = p.fds().get(dirfd);
			if (dir == null) {
				return Lookup.failed(-Errno.EBADF);
			}
			if (!(dir instanceof HostFile h) || !h.isDirectory()) {
				return Lookup.failed(-ENOTDIR);
			}
			base = h.node().path();
		}
		String full = ProvidedFiles.normalize(base, path);
		Node node = full == null ? null : p.providedFiles().lookup(full);
		if (node == null) {
			return Lookup.failed(-Errno.ENOENT);
		}
		if (path.endsWith("/") && !(node instanceof Directory)) {
			return Lookup.failed(-ENOTDIR);
		}
		return new Lookup(node, 0);
	}

	static long openat(LinuxProcess p, int dirfd, long pathAddress, int flags) {
		Lookup r = resolve(p, dirfd, pathAddress);
		Node node = r.node();
		if (node == null) {
			return r.error();
		}
		int access = flags & OpenFile.O_ACCMODE;
		if (access != OpenFile.O_RDONLY || (flags & (O_CREAT | O_TRUNC)) != 0) {
			return node instanceof Directory ? -EISDIR : -EROFS;
		}
		if ((flags & O_DIRECTORY) != 0 && !(node instanceof Directory)) {
			return -ENOTDIR;
		}
		int fd = p.fds().allocate(new HostFile(node, flags), 0, p.fdLimit(), (flags & OpenFile.O_CLOEXEC) != 0);
		return fd < 0 ? -Errno.EMFILE : fd;
	}

	/** stat, lstat and newfstatat with a path: the stat of the node (there are no links to not follow). */
	static long statPath(LinuxProcess p, int dirfd, long pathAddress, long statbuf) {
		Lookup r = resolve(p, dirfd, pathAddress);
		Node node = r.node();
		if (node == null) {
			return r.error();
		}
		p.memory().copyOut(statbuf, stat(node));
		return 0;
	}

	static long statxPath(LinuxProcess p, int dirfd, long pathAddress, long statxbuf) {
		Lookup r = resolve(p, dirfd, pathAddress);
		Node node = r.node();
		if (node == null) {
			return r.error();
		}
		p.memory().copyOut(statxbuf, statx(node));
		return 0;
	}

	static long access(LinuxProcess p, int dirfd, long pathAddress, int mode) {
		if ((mode & ~7) != 0) {
			return -Errno.EINVAL;
		}
		Lookup r = resolve(p, dirfd, pathAddress);
		Node node = r.node();
		if (node == null) {
			return r.error();
		}
		if ((mode & W_OK) != 0) {
			return -EROFS;
		}
		if ((mode & X_OK) != 0 && !(node instanceof Directory)) {
			return -EACCES;
		}
		return 0;
	}

	// ---------------------------------------------------------------- data

	/** Reads at {@code offset} into the vectors; a plain read (offset -1) moves the file position. */
	static long read(LinuxProcess p, HostFile f, IoVector v, long offset) {
		if (f.isDirectory()) {
			return -EISDIR;
		}
		byte[] content = f.content();
		long at = offset < 0 ? f.position() : offset;
		int n = (int) Math.max(0, Math.min(Math.min(v.total(), FileCalls.MAX_TRANSFER), content.length - at));
		if (n > 0) {
			long[] iov = v.iov();
			for (int i = 0; i < iov.length; i += 2) {
				UserAccess.requireWritable(p.memory(), iov[i], Math.min(iov[i + 1], n));
			}
			byte[] chunk = new byte[n];
			System.arraycopy(content, (int) at, chunk, 0, n);
			v.scatter(p.memory(), 0, chunk, n);
		}
		if (offset < 0) {
			f.position(at + n);
		}
		return n;
	}

	static long lseek(HostFile f, long offset, int whence) {
		long size = f.isDirectory() ? 0 : f.content().length;
		long to;
		switch (whence) {
		case SEEK_SET -> to = offset;
		case SEEK_CUR -> to = f.position() + offset;
		case SEEK_END -> to = size + offset;
		case SEEK_DATA, SEEK_HOLE -> {
			if (f.isDirectory()) {
				return -Errno.EINVAL;
			}
			if (offset < 0 || offset >= size) {
				return -ENXIO;
			}
			to = whence == SEEK_DATA ? offset : size;
		}
		default -> {
			return -Errno.EINVAL;
		}
		}
		if (to < 0) {
			return -Errno.EINVAL;
		}
		f.position(to);
		return to;
	}

	/** getdents64: as many {@code struct linux_dirent64} as fit, from the directory's position; d_off is the next. */
	static long getdents64(LinuxProcess p, long fd, long dirp, long count) {
		OpenFile file = p.fds().get(fd);
		if (file == null) {
			return -Errno.EBADF;
		}
		if (!(file instanceof HostFile h) || !h.isDirectory()) {
			return -ENOTDIR;
		}
		int cap = (int) Math.min(Long.compareUnsigned(count, Integer.MAX_VALUE) > 0 ? Integer.MAX_VALUE : count,
				FileCalls.MAX_TRANSFER);
		byte[] out = dirents(p.providedFiles(), (Directory) h.node(), h.position(), cap);
		if (out == null) {
			return -Errno.EINVAL;
		}
		if (out.length > 0) {
			p.memory().copyOut(dirp, out);
			h.position(h.position() + entriesIn(out));
		}
		return out.length;
	}

	/** The records from entry {@code from} on that fit in {@code cap} bytes; null if not even the first fits. */
	static byte[] dirents(ProvidedFiles files, Directory dir, long from, int cap) {
		java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
		int total = dir.names().size() + 2;
		for (long i = Math.max(from, 0); i < total; i++) {
			String name;
			Node node;
			if (i < 2) {
				name = i == 0 ? "." : "..";
				node = files.lookup(i == 0 ? dir.path() : parentOf(dir.path()));
			} else {
				name = dir.names().get((int) i - 2);
				node = files.lookup(dir.path().equals("/") ? "/" + name : dir.path() + "/" + name);
			}
			byte[] n = name.getBytes(StandardCharsets.UTF_8);
			int reclen = (19 + n.length + 1 + 7) & ~7;
			if (out.size() + reclen > cap) {
				return out.size() == 0 ? null : out.toByteArray();
			}
			byte[] rec = new byte[reclen];
			FileCalls.putLong(rec, 0, node == null ? 1 : node.ino());
			FileCalls.putLong(rec, 8, i + 1);
			rec[16] = (byte) reclen;
			rec[17] = (byte) (reclen >> 8);
			rec[18] = (byte) (node instanceof Directory || node == null ? DT_DIR : DT_REG);
			System.arraycopy(n, 0, rec, 19, n.length);
			out.write(rec, 0, reclen);
		}
		return out.toByteArray();
	}

	/** How many records {@code out} holds (each record's length is at offset 16). */
	private static int entriesIn(byte[] out) {
		int n = 0;
		for (int at = 0; at < out.length; at += (out[at + 16] & 0xff) | (out[at + 17] & 0xff) << 8) {
			n++;
		}
		return n;
	}

	private static String parentOf(String path) {
		int slash = path.lastIndexOf('/');
		return slash <= 0 ? "/" : path.substring(0, slash);
	}

	// ---------------------------------------------------------------- stat

	static long size(Node node) {
		return node instanceof ProvidedFiles.Regular r ? r.content().length : 4096;
	}

	/** {@code struct stat} of a provided node: its recorded mtime for all three times, blocks of 512 bytes. */
	static byte[] stat(Node node) {
		byte[] s = new byte[FileCalls.STAT_SIZE];
		long size = size(node);
		FileCalls.putLong(s, 0, ProvidedFiles.DEVICE);
		FileCalls.putLong(s, 8, node.ino());
		FileCalls.putLong(s, 16, node instanceof Directory d ? 2 + d.names().size() : 1);
		FileCalls.putInt(s, 24, node.mode());
		FileCalls.putInt(s, 28, LinuxProcess.UID);
		FileCalls.putInt(s, 32, LinuxProcess.GID);
		FileCalls.putLong(s, 48, size);
		FileCalls.putLong(s, 56, 4096);
		FileCalls.putLong(s, 64, (size + 511) / 512);
		for (int t = 0; t < 3; t++) {
			FileCalls.putLong(s, 72 + 16 * t, node.mtimeSeconds());
		}
		return s;
	}

	/** {@code struct statx} of a provided node, consistent with {@link #stat}. */
	static byte[] statx(Node node) {
		byte[] s = new byte[FileCalls.STATX_SIZE];
		long size = size(node);
		FileCalls.putInt(s, 0, FileCalls.STATX_BASIC_STATS);
		FileCalls.putInt(s, 4, 4096);
		FileCalls.putInt(s, 16, (int) (node instanceof Directory d ? 2 + d.names().size() : 1));
		FileCalls.putInt(s, 20, LinuxProcess.UID);
		FileCalls.putInt(s, 24, LinuxProcess.GID);
		s[28] = (byte) node.mode();
		s[29] = (byte) (node.mode() >> 8);
		FileCalls.putLong(s, 32, node.ino());
		FileCalls.putLong(s, 40, size);
		FileCalls.putLong(s, 48, (size + 511) / 512);
		for (int t : new int[] { 64, 80, 96, 112 }) { // atime, btime, ctime, mtime
			FileCalls.putLong(s, t, node.mtimeSeconds());
		}
		FileCalls.putInt(s, 140, (int) ProvidedFiles.DEVICE); // stx_dev_minor
		return s;
	}
}
