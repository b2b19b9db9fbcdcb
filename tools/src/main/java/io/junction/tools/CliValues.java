package io.junction.tools;

import java.time.Duration;
import java.util.Locale;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/**
 * The command line's value types: durations ({@code 10s}, {@code 500ms}), sizes ({@code 64k}, {@code 1m}) and rates
 * ({@code 200000}, {@code 200k}), parsed by picocli converters, and range checks that make a usage error (exit 2)
 * naming the option.
 */
final class CliValues
{
    private CliValues()
    {
    }

    /**
     * {@code 10s}, {@code 500ms}, {@code 250us}, {@code 2m}, {@code 1h}, or a bare number of seconds.
     */
    static final class DurationConverter implements ITypeConverter<Duration>
    {
        @Override
        public Duration convert(final String text)
        {
            return parseDuration(text);
        }
    }

    /**
     * Bytes: {@code 64}, {@code 64k}, {@code 1m}, {@code 1g} (powers of 1024).
     */
    static final class SizeConverter implements ITypeConverter<Integer>
    {
        @Override
        public Integer convert(final String text)
        {
            final long value = scaled(text, 1024, "a size such as 64, 64k or 1m");
            if (value > Integer.MAX_VALUE)
            {
                throw new TypeConversionException("'" + text + "' is too large");
            }
            return (int)value;
        }
    }

    /**
     * Messages per second: {@code 10000}, {@code 10k}, {@code 1m} (powers of 1000).
     */
    static final class RateConverter implements ITypeConverter<Integer>
    {
        @Override
        public Integer convert(final String text)
        {
            final long value = scaled(text, 1000, "a rate in messages per second such as 10000, 10k or 1m");
            if (value > Integer.MAX_VALUE)
            {
                throw new TypeConversionException("'" + text + "' is too large");
            }
            return (int)value;
        }
    }

    static Duration parseDuration(final String text)
    {
        final String value = text.trim().toLowerCase(Locale.ROOT);
        int end = value.length();
        while (end > 0 && !Character.isDigit(value.charAt(end - 1)))
        {
            end--;
        }
        final String unit = value.substring(end);
        final long amount;
        try
        {
            amount = Long.parseLong(value.substring(0, end));
        }
        catch (final NumberFormatException ex)
        {
            throw new TypeConversionException("'" + text + "' is not a duration such as 10s, 500ms or 2m");
        }
        if (amount < 0)
        {
            throw new TypeConversionException("'" + text + "' is negative");
        }
        return switch (unit)
        {
            case "", "s" -> Duration.ofSeconds(amount);
            case "ms" -> Duration.ofMillis(amount);
            case "us" -> Duration.ofNanos(amount * 1000);
            case "ns" -> Duration.ofNanos(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> throw new TypeConversionException("'" + text + "' has an unknown unit '" + unit +
                "' (known: ns, us, ms, s, m, h)");
        };
    }

    /**
     * @return {@code 10s}, {@code 500ms}, {@code 2m}: the duration as it would be typed.
     */
    static String text(final Duration duration)
    {
        final long ms = duration.toMillis();
        if (ms % 60_000 == 0 && ms > 0)
        {
            return ms / 60_000 + "m";
        }
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    private static long scaled(final String text, final long base, final String what)
    {
        final String value = text.trim().toLowerCase(Locale.ROOT);
        long multiplier = 1;
        String digits = value;
        if (!value.isEmpty())
        {
            final char last = value.charAt(value.length() - 1);
            final long scale = switch (last)
            {
                case 'k' -> base;
                case 'm' -> base * base;
                case 'g' -> base * base * base;
                default -> 1;
            };
            if (scale != 1)
            {
                multiplier = scale;
                digits = value.substring(0, value.length() - 1);
            }
        }
        try
        {
            final long amount = Long.parseLong(digits);
            if (amount < 0)
            {
                throw new TypeConversionException("'" + text + "' is negative");
            }
            return Math.multiplyExact(amount, multiplier);
        }
        catch (final NumberFormatException | ArithmeticException ex)
        {
            throw new TypeConversionException("'" + text + "' is not " + what);
        }
    }

    /**
     * A usage error (exit 2) unless {@code min <= value <= max}.
     */
    static long check(final CommandSpec spec, final String option, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '" + option + "': " +
                (max == Long.MAX_VALUE || max == Integer.MAX_VALUE ? "must be >= " + min : "must be between " + min +
                " and " + max) + ", was " + value);
        }
        return value;
    }

    /**
     * A usage error (exit 2) unless the duration is at least {@code min}.
     */
    static Duration check(final CommandSpec spec, final String option, final Duration value, final Duration min)
    {
        if (value.compareTo(min) < 0)
        {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '" + option + "': must be >= " +
                min.toMillis() + "ms, was " + value.toMillis() + "ms");
        }
        return value;
    }
}
