package org.insight.vmm.linux;

import org.insight.vmm.linux.fd.HostFile;
import org.insight.vmm.memory.GuestOutOfMemoryException;
import org.insight.vmm.memory.MachineLayout;
import org.insight.vmm.memory.Mman;

/**
 * mmap of a provided file ({@link HostFile}): private pages filled from the file's contents when it is mapped (the
 * file never changes, so copying now is what a private mapping shows), then given the protection asked for;
 * PROT_WRITE is allowed on a private mapping (the writes stay in the guest's copy). A shared mapping with PROT_WRITE
 * is EACCES, as for a file open read-only; a read-only shared mapping is the same as a private one here. Bytes past
 * the end of the file read as zeros (Linux would raise SIGBUS beyond the last page holding the file). Any other
 * open descriptor keeps the address space's answer (ENODEV); one not open is EBADF. Each mapping is told to the
 * process's listener (a library that ld.so maps becomes named: {@code GuestImages}).
 */
final class FileMappings {
	static final int EACCES = 13, ENODEV = 19;

	private FileMappings() {
	}

	static long mmap(LinuxProcess p, long addr, long length, int prot, int flags, int fd, long offset) {
		if ((flags & Mman.MAP_ANONYMOUS) == 0 && !p.isOpen(fd)) {
			return -Errno.EBADF;
		}
		if ((flags & Mman.MAP_ANONYMOUS) != 0 || !(p.fds().get(fd) instanceof HostFile file)) {
			return p.memory().mmap(addr, length, prot, flags, fd, offset);
		}
		if (file.isDirectory()) {
			return -ENODEV;
		}
		int type = flags & Mman.MAP_TYPE;
		if ((type == Mman.MAP_SHARED || type == Mman.MAP_SHARED_VALIDATE) && (prot & Mman.PROT_WRITE) != 0) {
			return -EACCES;
		}
		if (offset < 0 || (offset & (MachineLayout.PAGE_SIZE - 1)) != 0) {
			return -Errno.EINVAL;
		}
		int anonymous = (flags & ~Mman.MAP_TYPE) | Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS;
		long at = p.memory().mmap(addr, length, prot | Mman.PROT_READ | Mman.PROT_WRITE, anonymous, -1, 0);
		if (at < 0) {
			return at;
		}
		byte[] content = file.content();
		int n = (int) Math.max(0, Math.min(length, content.length - Math.min(offset, content.length)));
		try {
			if (n > 0) {
				p.memory().copyOut(at, content, (int) offset, n);
			}
		} catch (GuestOutOfMemoryException e) {
			p.memory().munmap(at, length);
			throw e;
		}
		long r = p.memory().mprotect(at, length, prot);
		if (r < 0) {
			return r;
		}
		p.fileMapped(file.describe(), content, at, length, offset);
		return at;
	}
}
