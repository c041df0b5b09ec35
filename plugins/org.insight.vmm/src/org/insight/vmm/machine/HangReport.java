package org.insight.vmm.machine;

import java.time.Duration;
import java.util.List;

import org.insight.vmm.sched.ThreadReport;

/** A guest that was stopped from outside (wall-clock limit, trace size limit, cancel), with where each of its threads stood. */
public record HangReport(StopReason reason, Duration elapsed, Duration limit, List<ThreadReport> threads) {
	public HangReport {
		threads = List.copyOf(threads);
	}

	public String format() {
		StringBuilder s = new StringBuilder();
		switch (reason) {
		case WALL_LIMIT -> s.append("wall-clock limit of ").append(seconds(limit)).append(" reached");
		case TRACE_LIMIT -> s.append("trace size limit reached");
		case CANCELLED -> s.append("run cancelled");
		}
		s.append(" after ").append(seconds(elapsed)).append(": the guest was still running with ")
				.append(threads.size()).append(threads.size() == 1 ? " thread\n" : " threads\n");
		for (ThreadReport t : threads) {
			s.append("  ").append(t.format()).append('\n');
		}
		return s.toString();
	}

	private static String seconds(Duration d) {
		return d == null ? "?" : String.format("%.3f s", d.toNanos() / 1e9);
	}
}
