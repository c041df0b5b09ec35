package org.insight.vmm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * docs/SYSCALLS.md says which system calls the guest gets and why the others answer ENOSYS: its "Implemented" list is
 * exactly the calls {@link SyscallTable#linux()} handles, and its "Answered ENOSYS" lists hold every other call of the
 * host's {@code asm/unistd_64.h}, each once.
 */
class SyscallDocTest {
	private static final Pattern NAMES_LINE = Pattern.compile("^`[a-z0-9_]+`(, `[a-z0-9_]+`)*,?$");
	private static final Pattern NAME = Pattern.compile("`([a-z0-9_]+)`");

	@Test
	void theDocumentListsEveryCallOnceAsTheTableAnswersIt() throws IOException {
		Path header = Path.of("/usr/include/x86_64-linux-gnu/asm/unistd_64.h");
		assumeTrue(Files.isRegularFile(header), "no " + header + " on this host (linux-libc-dev)");
		Map<String, Integer> all = new LinkedHashMap<>();
		Matcher m = Pattern.compile("#define __NR_(\\w+) (\\d+)").matcher(Files.readString(header));
		while (m.find()) {
			all.put(m.group(1), Integer.parseInt(m.group(2)));
		}
		assertTrue(all.size() > 300, "syscalls in " + header + ": " + all.size());
		SyscallTable table = SyscallTable.linux();
		TreeSet<String> handled = new TreeSet<>();
		TreeSet<String> unhandled = new TreeSet<>();
		all.forEach((name, nr) -> (table.handles(nr) ? handled : unhandled).add(name));

		List<String> implemented = new ArrayList<>();
		List<String> enosys = new ArrayList<>();
		List<String> section = null;
		for (String line : Files.readAllLines(document())) {
			if (line.startsWith("## ")) {
				section = line.startsWith("## Implemented") ? implemented
						: line.startsWith("## Answered ENOSYS") ? enosys : null;
			} else if (section != null && NAMES_LINE.matcher(line).matches()) {
				Matcher n = NAME.matcher(line);
				while (n.find()) {
					section.add(n.group(1));
				}
			}
		}
		assertEquals(handled, new TreeSet<>(implemented), "docs/SYSCALLS.md, Implemented");
		assertEquals(implemented.size(), handled.size(), "each implemented call listed once");
		assertEquals(unhandled, new TreeSet<>(enosys), "docs/SYSCALLS.md, Answered ENOSYS");
		assertEquals(enosys.size(), unhandled.size(), "each ENOSYS call listed once");
	}

	/** docs/SYSCALLS.md, found from the working directory upwards (a bundle's folder, or the tree's root). */
	private static Path document() {
		for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
			Path doc = d.resolve("docs/SYSCALLS.md");
			if (Files.isRegularFile(doc)) {
				return doc;
			}
		}
		throw new AssertionError("docs/SYSCALLS.md not found above " + Path.of("").toAbsolutePath());
	}
}
