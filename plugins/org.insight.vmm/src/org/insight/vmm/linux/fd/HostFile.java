package org.insight.vmm.linux.fd;

import org.insight.vmm.linux.fd.ProvidedFiles.Directory;
import org.insight.vmm.linux.fd.ProvidedFiles.Node;
import org.insight.vmm.linux.fd.ProvidedFiles.Regular;

/**
 * An open provided file or directory ({@link ProvidedFiles}): read-only, with the file offset that read and lseek move
 * (for a directory, the index of the next getdents64 entry, counting . and ..). Always ready, as a regular file is.
 */
public final class HostFile extends OpenFile {
	private final Node node;
	private long position;

	public HostFile(Node node, int statusFlags) {
		super(O_RDONLY, statusFlags);
		this.node = node;
	}

	public Node node() {
		return node;
	}

	public boolean isDirectory() {
		return node instanceof Directory;
	}

	/** The contents of a regular file (an empty array for a directory). */
	public byte[] content() {
		return node instanceof Regular r ? r.content() : new byte[0];
	}

	public long position() {
		return position;
	}

	public void position(long at) {
		position = at;
	}

	@Override
	public int mode() {
		return node.mode();
	}

	@Override
	public String describe() {
		return node.path();
	}

	@Override
	public WaitList waiters() {
		return null;
	}

	@Override
	void released() {
	}
}
