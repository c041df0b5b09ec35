package org.insight.analysis;

/**
 * A module that consumes the event stream of one replay. Several run on one replay, each seeing every event in order;
 * each is named by an id and a version, which the reports carry so a result says what made it.
 */
public interface Analyzer {
	/** "deadlocks". */
	String id();

	/** Changes whenever the same events would give another result. */
	String version();

	void accept(Event event);

	/** The replay ended (verified): the result can be computed. */
	default void finish() {
	}
}
