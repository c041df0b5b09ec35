package org.insight.ui.views;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.eclipse.osgi.util.NLS;
import org.insight.replay.trace.FrameKind;
import org.insight.replay.trace.GuestBinary;
import org.insight.replay.trace.TraceInfo;
import org.insight.replay.trace.TraceStatistics;
import org.insight.ui.Messages;

/** The rows of the Recording view, from the engine's {@link TraceInfo}: header, frames, inputs by kind, size, health. */
public final class RecordingRows {
	/** One row: a name, a value, and whether it is a heading of the rows under it. */
	public record Row(String name, String value, boolean heading) {
	}

	private RecordingRows() {
	}

	public static List<Row> of(TraceInfo info, String lastReplay) {
		List<Row> rows = new ArrayList<>();
		rows.add(heading(Messages.Rows_health));
		String state = info.corruption().map(c -> NLS.bind(Messages.Rows_corrupt, c.getMessage()))
				.orElse(info.complete() ? Messages.Rows_complete
						: NLS.bind(Messages.Rows_incomplete, info.incompleteReason().orElse("")));
		rows.add(row(Messages.Rows_state, state));
		rows.add(row(Messages.Rows_replay, lastReplay == null || lastReplay.isBlank() ? Messages.Rows_notReplayed
				: lastReplay));

		rows.add(heading(Messages.Rows_header));
		rows.add(row(Messages.Rows_file, info.file().toString()));
		rows.add(row(Messages.Rows_recorded, info.header().recordedAt() + " " + info.header().hostCpu().describe()));
		GuestBinary b = info.header().program().binary();
		rows.add(row(Messages.Rows_binary, b.name() + " (" + b.size() + " bytes, sha256 " + b.sha256() + ")"));
		rows.add(row(Messages.Rows_argv, String.join(" ", info.header().program().argv())));
		rows.add(row(Messages.Rows_env, String.join(" ", info.header().program().env())));
		rows.add(row(Messages.Rows_config, info.header().config().describe()));
		info.trailer().ifPresent(t -> {
			rows.add(row(Messages.Rows_exit, t.outcome().exit().description()));
			rows.add(row(Messages.Rows_stdout, t.outcome().stdout().describe()));
		});

		TraceStatistics s = info.statistics();
		rows.add(heading(Messages.Rows_frames));
		rows.add(row(Messages.Rows_frameCount, Long.toString(s.frames())));
		for (FrameKind k : FrameKind.values()) {
			rows.add(row("  " + k.label(), Long.toString(s.frames(k))));
		}
		rows.add(row(Messages.Rows_syncPoints, NLS.bind(Messages.Rows_syncPointsValue,
				new Object[] { s.syncPoints(), s.choices(), s.switches() })));
		rows.add(row(Messages.Rows_landmarks, Long.toString(s.landmarks())));
		rows.add(row(Messages.Rows_threads, Integer.toString(s.threads())));
		rows.add(row(Messages.Rows_inputs, NLS.bind(Messages.Rows_inputsValue, s.randomBytes(), s.stdinBytes())));

		rows.add(heading(Messages.Rows_size));
		rows.add(row(Messages.Rows_fileSize, NLS.bind(Messages.Rows_fileSizeValue, info.fileSize(), info.blocks())));
		rows.add(row(Messages.Rows_bytesPerFrame, String.format(Locale.ROOT, "%.1f", info.bytesPerFrame())));
		return rows;
	}

	private static Row row(String name, String value) {
		return new Row(name, value, false);
	}

	private static Row heading(String name) {
		return new Row(name, "", true);
	}
}
