package org.insight.core.analysis;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.eclipse.core.runtime.IConfigurationElement;
import org.eclipse.core.runtime.ILog;
import org.eclipse.core.runtime.Platform;
import org.eclipse.core.runtime.Status;
import org.eclipse.osgi.util.NLS;
import org.insight.analysis.ReplayAnalysis;
import org.insight.core.InsightCore;
import org.insight.core.Messages;

/**
 * The analyzers of the extension point {@code org.insight.core.analyzers}: the built-ins first, in the order
 * org.insight.core declares them, then the contributed ones by bundle and order of declaration. A contribution without
 * an id or a name, with a duplicate id, with neither an engine analyzer nor a class, or naming an analyzer the engine
 * does not have, is logged (one line naming the bundle) and left out.
 */
public final class AnalyzerRegistry {
	/** The extension point's id. */
	public static final String POINT = InsightCore.PLUGIN_ID + ".analyzers";

	private AnalyzerRegistry() {
	}

	/** Every valid analyzer, in order. */
	public static List<AnalyzerDescriptor> all() {
		List<IConfigurationElement> elements = new ArrayList<>(List.of(Platform.getExtensionRegistry()
				.getConfigurationElementsFor(POINT)));
		// stable: the built-ins first, then by bundle, declaration order within a bundle
		elements.sort(Comparator.comparing((IConfigurationElement e) -> !InsightCore.PLUGIN_ID.equals(e
				.getContributor().getName())).thenComparing(e -> e.getContributor().getName()));
		List<AnalyzerDescriptor> out = new ArrayList<>();
		Set<String> ids = new HashSet<>();
		for (IConfigurationElement e : elements) {
			descriptor(e).filter(d -> {
				if (!ids.add(d.id())) {
					refuse(e, NLS.bind(Messages.Analyzer_duplicate, d.id()));
					return false;
				}
				return true;
			}).ifPresent(out::add);
		}
		return out;
	}

	public static Optional<AnalyzerDescriptor> find(String id) {
		return all().stream().filter(d -> d.id().equals(id)).findFirst();
	}

	/** The ids of the analyzers checked in a new replay configuration. */
	public static List<String> defaults() {
		return all().stream().filter(AnalyzerDescriptor::defaultOn).map(AnalyzerDescriptor::id).toList();
	}

	/** The engine analyzers the analyzers {@code ids} run (unknown ids ignored), in the engine's order. */
	public static List<String> engineAnalyzers(Collection<String> ids) {
		Set<String> wanted = new LinkedHashSet<>();
		for (AnalyzerDescriptor d : all()) {
			if (ids.contains(d.id())) {
				d.engine().ifPresent(wanted::add);
			}
		}
		return ReplayAnalysis.ALL.stream().filter(wanted::contains).toList();
	}

	/** {@code a,b} of a launch attribute as ids. */
	public static List<String> split(String ids) {
		return ids == null || ids.isBlank() ? List.of() : List.of(ids.strip().split("\\s*,\\s*"));
	}

	private static Optional<AnalyzerDescriptor> descriptor(IConfigurationElement e) {
		String id = attribute(e, "id");
		String name = attribute(e, "name");
		String engine = attribute(e, "engine");
		String member = attribute(e, "member");
		boolean hasClass = !attribute(e, "class").isEmpty();
		if (id.isEmpty() || id.contains(",") || name.isEmpty()) {
			return refuse(e, Messages.Analyzer_noIdOrName);
		}
		if (engine.isEmpty() && !hasClass) {
			return refuse(e, NLS.bind(Messages.Analyzer_nothingToRun, id));
		}
		if (!engine.isEmpty() && !ReplayAnalysis.ALL.contains(engine)) {
			return refuse(e, NLS.bind(Messages.Analyzer_unknownEngine, new Object[] { id, engine, String.join(", ",
					ReplayAnalysis.ALL) }));
		}
		if (hasClass && member.isEmpty()) {
			member = engine;
		}
		if (hasClass && member.isEmpty()) {
			return refuse(e, NLS.bind(Messages.Analyzer_noMember, id));
		}
		return Optional.of(new AnalyzerDescriptor(id, name, Optional.of(engine).filter(s -> !s.isEmpty()),
				Optional.of(member).filter(s -> hasClass && !s.isEmpty()), Boolean.parseBoolean(attribute(e,
						"default")), e.getContributor().getName(), e));
	}

	private static String attribute(IConfigurationElement e, String name) {
		String v = e.getAttribute(name);
		return v == null ? "" : v.strip();
	}

	private static Optional<AnalyzerDescriptor> refuse(IConfigurationElement e, String why) {
		ILog.of(AnalyzerRegistry.class).log(Status.warning(NLS.bind(Messages.Analyzer_refused, e.getContributor()
				.getName(), why)));
		return Optional.empty();
	}
}
