package io.junction.perf.suite;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * What one run of the suite does, and how long each step lasts: {@link #quick()} (≤ 3 minutes on a
 * 2-core machine), {@link #full()} (≤ 20 minutes), or {@link #tiny()} for the smoke test.
 */
public final class SuiteOptions
{
    public String mode = "full";
    public List<Workload> workloads = List.of(
        new Workload(1, 64), new Workload(4, 64), new Workload(1, 1024), new Workload(4, 1024));
    /** Rates every workload is measured at, messages per second. */
    public long[] rates = { 10_000, 50_000 };
    /** Extra rates for the capacity curve, measured on the first workload only. */
    public long[] capacityRates = {};
    public long throughputNs = TimeUnit.SECONDS.toNanos(1);
    /** Throughput runs per workload; the report gives the median. */
    public int throughputTrials = 5;
    public long warmupNs = TimeUnit.SECONDS.toNanos(1);
    public long latencyNs = TimeUnit.MILLISECONDS.toNanos(2500);
    public long drainTimeoutNs = TimeUnit.SECONDS.toNanos(3);
    public int roundTrips = 50_000;
    public long p99TargetNs = TimeUnit.MICROSECONDS.toNanos(50);
    /** Regulator rate as a share of what was sustained at the target. */
    public double headroom = 0.8;
    /** Target names to run (case-insensitive prefixes); empty: all. */
    public List<String> only = List.of();
    /** Sections to run, by the start of their class name in lower case (e.g. shardscaling, shared); empty: all. */
    public List<String> sections = List.of();
    public boolean jmh = true;
    /** Run the variants of targets (Junction embedded with yielding idle strategies); full mode only. */
    public boolean variants = true;
    /**
     * {@code --rounds N}: run only Junction remote and NATS, alternately, N rounds, and report medians
     * ({@link RemoteRoundsSection}); 0: the normal suite.
     */
    public int rounds;
    /**
     * {@code --daemon-config TEXT}: daemon config lines (HOCON; ';' separates lines) for a second Junction remote
     * target beside the defaults in {@code --rounds}, e.g. {@code network.inline-shard = true}; empty: none.
     */
    public String daemonConfig = "";
    /** Print the time budget and stop, measuring nothing. */
    public boolean estimateOnly;
    public Path outputDir;

    public static SuiteOptions full()
    {
        final SuiteOptions options = new SuiteOptions();
        options.rates = new long[] { 10_000, 50_000, 100_000 };
        options.capacityRates = new long[] { 1_000, 5_000, 20_000, 200_000, 400_000 };
        return options;
    }

    public static SuiteOptions quick()
    {
        final SuiteOptions options = new SuiteOptions();
        options.mode = "quick";
        options.rates = new long[] { 10_000 };
        options.capacityRates = new long[] { 100_000 };
        options.throughputNs = TimeUnit.MILLISECONDS.toNanos(300);
        options.throughputTrials = 3;
        options.warmupNs = TimeUnit.MILLISECONDS.toNanos(200);
        options.latencyNs = TimeUnit.MILLISECONDS.toNanos(700);
        options.drainTimeoutNs = TimeUnit.SECONDS.toNanos(2);
        options.roundTrips = 10_000;
        options.jmh = false;
        options.variants = false;
        return options;
    }

    /** For the smoke test: seconds, not minutes. */
    public static SuiteOptions tiny()
    {
        final SuiteOptions options = new SuiteOptions();
        options.mode = "tiny";
        options.workloads = List.of(new Workload(1, 64), new Workload(2, 64));
        options.rates = new long[] { 2_000 };
        options.capacityRates = new long[] { 5_000 };
        options.throughputNs = TimeUnit.MILLISECONDS.toNanos(100);
        options.throughputTrials = 1;
        options.warmupNs = TimeUnit.MILLISECONDS.toNanos(50);
        options.latencyNs = TimeUnit.MILLISECONDS.toNanos(150);
        options.drainTimeoutNs = TimeUnit.SECONDS.toNanos(2);
        options.roundTrips = 200;
        options.jmh = false;
        options.variants = false;
        return options;
    }

    /**
     * {@code [--quick] [--p99-target 50us] [--only NAME,NAME] [--out DIR] [--no-jmh]}
     */
    public static SuiteOptions parse(final String... args)
    {
        final List<String> list = Arrays.asList(args);
        final SuiteOptions options = list.contains("--quick") ? quick() : full();
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--quick", "--full" ->
                {
                }
                case "--p99-target" -> options.p99TargetNs = parseDurationNs(value(args, ++i));
                case "--headroom" -> options.headroom = Double.parseDouble(value(args, ++i));
                case "--only" -> options.only = List.of(value(args, ++i).toLowerCase(Locale.ROOT).split(","));
                case "--sections" -> options.sections = List.of(value(args, ++i).toLowerCase(Locale.ROOT).split(","));
                case "--out" -> options.outputDir = Path.of(value(args, ++i));
                case "--no-jmh" -> options.jmh = false;
                case "--jmh" -> options.jmh = true;
                case "--estimate" -> options.estimateOnly = true;
                case "--rounds" -> options.rounds = parseRounds(value(args, ++i));
                case "--workloads" -> options.workloads = parseWorkloads(value(args, ++i));
                case "--daemon-config" -> options.daemonConfig = value(args, ++i).trim();
                default -> throw new IllegalArgumentException("unknown option: " + args[i] + "\n" + usage());
            }
        }
        if (options.rounds > 0)
        {
            options.throughputTrials = Math.min(options.throughputTrials, 3); // the rounds give the medians
        }
        if (null == options.outputDir)
        {
            options.outputDir = Path.of("perf", "results", (options.rounds > 0 ? "remote-rounds-" : "suite-") +
                LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmm")));
        }
        return options;
    }

    public static String usage()
    {
        return "usage: perf/bench.sh [--quick] [--p99-target 50us] [--headroom 0.8] [--only junction,nats,...] " +
            "[--sections shared,roundtrip,requestreply,overload,journal,cluster,shardscaling,corethroughput,jmh] [--out DIR] " +
            "[--jmh|--no-jmh] " +
            "[--estimate] [--rounds N] [--workloads 1x64,4x1024] [--daemon-config 'key = value; key = value']";
    }

    /** "1x64,4x1024": subscribers x payload bytes, comma-separated. */
    private static List<Workload> parseWorkloads(final String text)
    {
        final List<Workload> workloads = new ArrayList<>();
        for (final String item : text.split(","))
        {
            final String[] parts = item.trim().toLowerCase(Locale.ROOT).split("x");
            try
            {
                workloads.add(new Workload(Integer.parseInt(parts[0]), Integer.parseInt(parts[1])));
            }
            catch (final RuntimeException ex)
            {
                throw new IllegalArgumentException("--workloads needs SUBSCRIBERSxBYTES items, e.g. 1x64,4x1024 " +
                    "(bytes >= " + Stamp.HEADER_LENGTH + "): " + item + "\n" + usage());
            }
        }
        return List.copyOf(workloads);
    }

    private static int parseRounds(final String text)
    {
        try
        {
            final int rounds = Integer.parseInt(text.trim());
            if (rounds >= 1 && rounds <= 99)
            {
                return rounds;
            }
        }
        catch (final NumberFormatException ex)
        {
            // said below
        }
        throw new IllegalArgumentException("--rounds needs a number of rounds from 1 to 99: " + text + "\n" + usage());
    }

    private static String value(final String[] args, final int i)
    {
        if (i >= args.length)
        {
            throw new IllegalArgumentException(args[i - 1] + " needs a value\n" + usage());
        }
        return args[i];
    }

    /** "50us", "1.5ms", "200ns", "1s"; a bare number is microseconds. */
    public static long parseDurationNs(final String text)
    {
        final String value = text.trim().toLowerCase(Locale.ROOT).replace("µs", "us");
        final String[][] units = { { "ns", "1" }, { "us", "1000" }, { "ms", "1000000" }, { "s", "1000000000" } };
        for (final String[] unit : units)
        {
            if (value.endsWith(unit[0]))
            {
                final double number = Double.parseDouble(value.substring(0, value.length() - unit[0].length()));
                return Math.round(number * Long.parseLong(unit[1]));
            }
        }
        return Math.round(Double.parseDouble(value) * 1000);
    }

    public boolean includes(final Section section)
    {
        final String name = section.getClass().getSimpleName().toLowerCase(Locale.ROOT);
        return sections.isEmpty() || sections.stream().anyMatch(name::startsWith);
    }

    public boolean includes(final Target target)
    {
        if (only.isEmpty())
        {
            return true;
        }
        final String name = target.name().toLowerCase(Locale.ROOT);
        return only.stream().anyMatch(name::contains);
    }

    public List<Long> allRatesForFirstWorkload()
    {
        final List<Long> all = new ArrayList<>();
        Arrays.stream(rates).forEach(all::add);
        Arrays.stream(capacityRates).forEach(all::add);
        all.sort(Long::compare);
        return all.stream().distinct().toList();
    }
}
