package org.insight.analysis.report;

import java.util.ArrayList;
import java.util.List;

import org.insight.analysis.AnalysisResult;
import org.insight.analysis.locks.LockProfile;
import org.insight.analysis.locks.LockStats;

/**
 * The {@code "locks"} member of the JSON report ({@link JsonReport}, schema version 2):
 * <pre>
 * { "order": COLUMN, "top": N (0: all), "all": locks touched, "total": STATS,
 *   "locks": [{"name","address","kind","mode","stats": STATS,
 *              "sites": [{"function", "site": FRAME or null, "stats": STATS}]}] }
 * STATS = { "acquisitions", "contended", "failedTrylocks", "waitTotalNs", "waitMaxNs", "waitMeanNs", "holds",
 *           "holdTotalNs", "holdMaxNs", "holdMeanNs", "heldAtExit" }
 * </pre>
 * Times are virtual nanoseconds (measured, never deterministic); counts are exact.
 */
final class LockProfileJson {
	private LockProfileJson() {
	}

	static String of(AnalysisResult r) {
		LockProfile p = r.locks();
		List<String> locks = new ArrayList<>();
		for (LockProfile.Lock l : p.locks()) {
			List<String> sites = new ArrayList<>();
			for (LockProfile.Site s : l.sites()) {
				sites.add("\n        {\"function\": " + Json.str(s.function()) + ", \"site\": " + (s.stack()
						.depth() == 0 ? "null" : JsonReport.frame(r, s.stack(), 0)) + ", \"stats\": " + stats(s
								.stats()) + "}");
			}
			locks.add("\n      {\"name\": " + Json.str(r.names().of(l.lock())) + ", \"address\": " + Json.hex(l.lock()
					.address()) + ", \"kind\": " + Json.str(l.lock().kind()) + ", \"mode\": " + Json.str(l.mode())
					+ ", \"stats\": " + stats(l.stats()) + ",\n       \"sites\": [" + String.join(",", sites) + "]}");
		}
		return "{\"order\": " + Json.str(p.order().label()) + ", \"top\": " + p.top() + ", \"all\": " + p.all()
				+ ", \"total\": " + stats(p.total()) + ",\n    \"locks\": [" + String.join(",", locks) + "]}";
	}

	private static String stats(LockStats s) {
		return "{\"acquisitions\": " + s.acquisitions() + ", \"contended\": " + s.contended() + ", \"failedTrylocks\": "
				+ s.failedTrylocks() + ", \"waitTotalNs\": " + s.waitTotal() + ", \"waitMaxNs\": " + s.waitMax()
				+ ", \"waitMeanNs\": " + s.waitMean() + ", \"holds\": " + s.holds() + ", \"holdTotalNs\": " + s
						.holdTotal() + ", \"holdMaxNs\": " + s.holdMax() + ", \"holdMeanNs\": " + s.holdMean()
				+ ", \"heldAtExit\": " + s.heldAtExit() + "}";
	}
}
