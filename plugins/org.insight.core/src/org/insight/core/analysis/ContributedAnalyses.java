package org.insight.core.analysis;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.ILog;
import org.eclipse.core.runtime.Status;
import org.eclipse.osgi.util.NLS;
import org.insight.core.Messages;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * Runs the contributed analyzers that read a member of the report ({@link ReportAnalyzer}) over one report. An
 * analyzer whose member is absent or null is not called; one that fails is logged with a one-line message naming it
 * and its bundle, and the others go on.
 */
final class ContributedAnalyses {
	private ContributedAnalyses() {
	}

	/**
	 * @param selected the analyzer ids the launch chose; null: every analyzer whose member the report has (a record
	 *                 launch's own analysis, which runs the engine's defaults)
	 * @return the results by analyzer id, in the registry's order
	 */
	static Map<String, AnalyzerResult> run(JsonObject root, AnalysisReport report, Collection<String> selected) {
		Map<String, AnalyzerResult> out = new LinkedHashMap<>();
		for (AnalyzerDescriptor d : AnalyzerRegistry.all()) {
			if (!d.hasReader() || selected != null && !selected.contains(d.id())) {
				continue;
			}
			JsonElement member = root.get(d.member().orElseThrow());
			if (member == null || member.isJsonNull()) {
				continue;
			}
			try {
				out.put(d.id(), d.createReader().read(member, report));
			} catch (AnalysisReportException e) {
				failed(d, e.getMessage(), e);
			} catch (CoreException e) {
				failed(d, e.getStatus().getMessage(), e);
			} catch (RuntimeException | LinkageError e) {
				// another bundle's code: whatever it throws stays out of the import, logged with its trace
				failed(d, e.toString(), e);
			}
		}
		return out;
	}

	private static void failed(AnalyzerDescriptor d, String why, Throwable e) {
		ILog.of(ContributedAnalyses.class).log(Status.warning(NLS.bind(Messages.Analyzer_failed, new Object[] { d.name(),
				d.contributor(), why }), e));
	}
}
