package org.insight.vmm.linux.fd;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The read-only files a run provides to the guest ({@code --file}, {@code --ro-dir}), at their absolute paths: a
 * function of the entries alone (path, modification time, contents), which a recording holds, so a replay serves the
 * same tree without any host file. Every ancestor of a provided path is a directory listing only what was provided
 * under it. Inode numbers follow the sorted order of the paths, the device number is fixed: all of what stat
 * answers is deterministic given the entries.
 */
public final class ProvidedFiles {
	/** st_dev of every provided node. */
	public static final long DEVICE = 0x2a;
	/** st_mode of a provided regular file (S_IFREG | 0444) and directory (S_IFDIR | 0555): read-only. */
	public static final int FILE_MODE = 0100444, DIR_MODE = 040555;
	/** The longest path Linux accepts (PATH_MAX with its NUL). */
	public static final int PATH_MAX = 4096;

	/** A provided entry: a regular file with its contents, or (contents null) a directory. */
	public record Entry(String path, long mtimeSeconds, byte[] content) {
		public Entry {
			Objects.requireNonNull(path, "path");
			if (normalize("/", path) == null || !normalize("/", path).equals(path)) {
				throw new IllegalArgumentException("not a normalized absolute path: " + path);
			}
		}

		public boolean directory() {
			return content == null;
		}

		@Override
		public boolean equals(Object o) {
			return o instanceof Entry e && path.equals(e.path) && mtimeSeconds == e.mtimeSeconds
					&& java.util.Arrays.equals(content, e.content);
		}

		@Override
		public int hashCode() {
			return path.hashCode() * 31 + java.util.Arrays.hashCode(content);
		}

		@Override
		public String toString() {
			return path + (content == null ? " (directory)" : " (" + content.length + " bytes)") + " mtime "
					+ mtimeSeconds;
		}
	}

	/** A node of the tree: a regular file or a directory, with its inode number. */
	public sealed interface Node permits Regular, Directory {
		String path();

		long ino();

		long mtimeSeconds();

		int mode();
	}

	public record Regular(String path, long ino, long mtimeSeconds, byte[] content) implements Node {
		@Override
		public int mode() {
			return FILE_MODE;
		}
	}

	/** A directory; {@code names} are its children's names, sorted (the order getdents64 gives after . and ..). */
	public record Directory(String path, long ino, long mtimeSeconds, List<String> names) implements Node {
		@Override
		public int mode() {
			return DIR_MODE;
		}
	}

	private static final ProvidedFiles NONE = new ProvidedFiles(List.of());

	private final List<Entry> entries;
	private final Map<String, Node> nodes = new TreeMap<>();

	private ProvidedFiles(List<Entry> entries) {
		this.entries = List.copyOf(entries);
		Map<String, Long> mtimes = new TreeMap<>();
		Map<String, byte[]> contents = new TreeMap<>();
		Map<String, List<String>> children = new TreeMap<>();
		for (Entry e : entries) {
			if (mtimes.put(e.path(), e.mtimeSeconds()) != null) {
				throw new IllegalArgumentException("provided twice: " + e.path());
			}
			if (!e.directory()) {
				contents.put(e.path(), e.content());
			}
		}
		for (String path : List.copyOf(mtimes.keySet())) {
			String child = path;
			while (!child.equals("/")) {
				String parent = parent(child);
				if (contents.containsKey(parent)) {
					throw new IllegalArgumentException("a provided file is also a directory: " + parent);
				}
				children.computeIfAbsent(parent, k -> new ArrayList<>()).add(child.substring(child.lastIndexOf('/') + 1));
				mtimes.putIfAbsent(parent, 0L);
				child = parent;
			}
		}
		long ino = 2;
		for (Map.Entry<String, Long> m : mtimes.entrySet()) {
			String path = m.getKey();
			byte[] content = contents.get(path);
			if (content != null) {
				nodes.put(path, new Regular(path, ino++, m.getValue(), content));
			} else {
				List<String> names = new ArrayList<>(new java.util.TreeSet<>(children.getOrDefault(path, List.of())));
				nodes.put(path, new Directory(path, ino++, m.getValue(), Collections.unmodifiableList(names)));
			}
		}
	}

	public static ProvidedFiles none() {
		return NONE;
	}

	public static ProvidedFiles of(List<Entry> entries) {
		return entries.isEmpty() ? NONE : new ProvidedFiles(entries);
	}

	/** The entries it was made of, in their order (what a recording stores). */
	public List<Entry> entries() {
		return entries;
	}

	public boolean isEmpty() {
		return entries.isEmpty();
	}

	/** Equal when made of equal entries, in the same order. */
	@Override
	public boolean equals(Object o) {
		return o instanceof ProvidedFiles f && entries.equals(f.entries);
	}

	@Override
	public int hashCode() {
		return entries.hashCode();
	}

	@Override
	public String toString() {
		return "provided files " + entries;
	}

	/** The node at a normalized absolute path, or null. */
	public Node lookup(String path) {
		return nodes.get(path);
	}

	/**
	 * {@code path} made absolute against the directory {@code base} (itself normalized and absolute), with ".", ".."
	 * and repeated slashes resolved lexically (there are no symbolic links in the provided tree); null if it is empty
	 * or longer than {@link #PATH_MAX}.
	 */
	public static String normalize(String base, String path) {
		if (path.isEmpty() || path.length() >= PATH_MAX) {
			return null;
		}
		List<String> parts = new ArrayList<>();
		String full = path.startsWith("/") ? path : base + "/" + path;
		for (String part : full.split("/")) {
			if (part.isEmpty() || part.equals(".")) {
				continue;
			}
			if (part.equals("..")) {
				if (!parts.isEmpty()) {
					parts.remove(parts.size() - 1);
				}
			} else {
				parts.add(part);
			}
		}
		return "/" + String.join("/", parts);
	}

	static String parent(String path) {
		int slash = path.lastIndexOf('/');
		return slash == 0 ? "/" : path.substring(0, slash);
	}
}
