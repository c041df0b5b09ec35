package org.insight.vmm.linux.fd;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An epoll instance: its interest list, in the order the descriptors were added (the order epoll_wait reports them
 * in, so that it is the same in every run), and the threads waiting in epoll_wait on it. An entry lasts while its
 * open file description does, as in Linux: closing the last descriptor of a file drops it from every interest list.
 */
public final class Epoll extends OpenFile {
	/** One watched descriptor: the events asked for, the user data, and whether EPOLLONESHOT disabled it. */
	public static final class Interest {
		private final int fd;
		private final OpenFile file;
		private int events;
		private long data;
		private boolean disabled;

		Interest(int fd, OpenFile file, int events, long data) {
			this.fd = fd;
			this.file = file;
			this.events = events;
			this.data = data;
		}

		public int fd() {
			return fd;
		}

		public OpenFile file() {
			return file;
		}

		public int events() {
			return events;
		}

		public long data() {
			return data;
		}

		public boolean disabled() {
			return disabled;
		}

		public void disable() {
			disabled = true;
		}
	}

	private final WaitList waiters = new WaitList();
	private final Map<Integer, Interest> interests = new LinkedHashMap<>();
	private final int id;

	public Epoll(int id, int statusFlags) {
		super(O_RDWR, statusFlags);
		this.id = id;
	}

	public Interest find(int fd) {
		Interest i = interests.get(fd);
		if (i != null && !i.file.isOpen()) {
			interests.remove(fd);
			return null;
		}
		return i;
	}

	public void add(int fd, OpenFile file, int events, long data) {
		interests.put(fd, new Interest(fd, file, events, data));
	}

	public void modify(Interest i, int events, long data) {
		i.events = events;
		i.data = data;
		i.disabled = false;
	}

	public void remove(int fd) {
		interests.remove(fd);
	}

	/** The entries whose file is still open, in the order they were added. */
	public List<Interest> interests() {
		interests.values().removeIf(i -> !i.file.isOpen());
		return new ArrayList<>(interests.values());
	}

	public int id() {
		return id;
	}

	@Override
	public int mode() {
		return ANON_MODE;
	}

	@Override
	public String describe() {
		return "epoll " + id;
	}

	/** The threads in epoll_wait on this instance (they also wait on each watched file's list). */
	@Override
	public WaitList waiters() {
		return waiters;
	}

	@Override
	void released() {
		interests.clear();
	}
}
