package org.insight.core.analysis;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.eclipse.core.runtime.Platform;
import org.eclipse.core.runtime.preferences.IEclipsePreferences;
import org.eclipse.core.runtime.preferences.IScopeContext;
import org.eclipse.core.runtime.preferences.InstanceScope;
import org.insight.core.InsightCore;
import org.osgi.service.prefs.BackingStoreException;

/**
 * The source path mappings (workspace preference {@value #PREFERENCE}): a program built in one folder
 * ({@code /build/elsewhere/src}) and read in another ({@code /home/me/project/src}). Each maps a build path prefix to a
 * local path prefix; a prefix matches whole path segments, and the longest matching one wins. Stored as one line per
 * mapping, the two prefixes separated by a tab.
 */
public final class PathMappings {
	/** Preference key (instance scope of {@link InsightCore#PLUGIN_ID}). */
	public static final String PREFERENCE = "sourcePathMappings";

	/** One mapping: paths under {@code build} are read under {@code local}. */
	public record Mapping(String build, String local) {
		public Mapping {
			build = trimSlash(build.strip());
			local = trimSlash(local.strip());
		}

		/** {@code path} under {@code local}, when it is under {@code build}. */
		Optional<String> apply(String path) {
			if (build.isEmpty()) {
				return Optional.empty();
			}
			if (path.equals(build)) {
				return Optional.of(local);
			}
			String prefix = build.equals("/") ? "/" : build + "/";
			return path.startsWith(prefix) ? Optional.of(local + "/" + path.substring(prefix.length())) : Optional
					.empty();
		}
	}

	private PathMappings() {
	}

	/** The workspace's mappings, in the order the user gave them. */
	public static List<Mapping> get() {
		String s = Platform.getPreferencesService().getString(InsightCore.PLUGIN_ID, PREFERENCE, "",
				new IScopeContext[] { InstanceScope.INSTANCE });
		return parse(s);
	}

	/** Stores {@code mappings} as the workspace's (and flushes them). */
	public static void set(List<Mapping> mappings) throws BackingStoreException {
		IEclipsePreferences node = InstanceScope.INSTANCE.getNode(InsightCore.PLUGIN_ID);
		node.put(PREFERENCE, format(mappings));
		node.flush();
	}

	/** The preference's text of {@code mappings}. */
	public static String format(List<Mapping> mappings) {
		StringBuilder b = new StringBuilder();
		for (Mapping m : mappings) {
			b.append(m.build()).append('\t').append(m.local()).append('\n');
		}
		return b.toString();
	}

	/** The mappings of the preference's text; lines without both prefixes are ignored. */
	public static List<Mapping> parse(String text) {
		List<Mapping> out = new ArrayList<>();
		for (String line : text.split("\n")) {
			int tab = line.indexOf('\t');
			if (tab > 0 && !line.substring(tab + 1).isBlank()) {
				out.add(new Mapping(line.substring(0, tab), line.substring(tab + 1)));
			}
		}
		return out;
	}

	/** {@code path} mapped by the longest matching build prefix of {@code mappings}; empty when none matches. */
	public static Optional<String> map(String path, List<Mapping> mappings) {
		String normal = Path.of(path).normalize().toString();
		return mappings.stream().filter(m -> m.apply(normal).isPresent()).max(Comparator.comparingInt(m -> m.build()
				.length())).flatMap(m -> m.apply(normal));
	}

	private static String trimSlash(String s) {
		return s.length() > 1 && s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
	}
}
