package org.insight.core.analysis;

import java.util.Optional;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IConfigurationElement;

/**
 * One analyzer of the extension point {@code org.insight.core.analyzers}, as {@link AnalyzerRegistry} read it.
 *
 * @param id          its id (stored in the replay configuration)
 * @param name        its label
 * @param engine      the engine's analyzer it runs ({@code insight analyze --ID}); empty: none
 * @param member      the report member its class reads; empty without a class
 * @param defaultOn   checked in a new replay configuration
 * @param contributor the bundle that contributed it
 * @param element     its configuration element (the class is created from it); null for none
 */
public record AnalyzerDescriptor(String id, String name, Optional<String> engine, Optional<String> member,
		boolean defaultOn, String contributor, IConfigurationElement element) {

	/** Whether a class turns its report member into rows and markers. */
	public boolean hasReader() {
		return element != null && element.getAttribute("class") != null;
	}

	/** A new instance of its class. */
	ReportAnalyzer createReader() throws CoreException {
		return (ReportAnalyzer) element.createExecutableExtension("class");
	}
}
