package io.junction.perf.suite;

/**
 * One part of the suite: the shared workload over all targets, the round trips of the limits, the JMH
 * micro-benchmarks; later the overload sweep, the journaled path, the clustered path and failover. Each
 * adds its figures (and, if it has its own, a Markdown fragment and files) to the results.
 */
public interface Section
{
    String title();

    /**
     * How long this section should take in these options, for the time budget printed at the start of a run.
     */
    default long estimateSeconds(final SuiteOptions options)
    {
        return 0;
    }

    /**
     * Runs the section. A section that cannot run records why with {@link SuiteResults#skip} instead of
     * failing the suite.
     */
    void run(SuiteOptions options, SuiteResults results) throws Exception;
}
