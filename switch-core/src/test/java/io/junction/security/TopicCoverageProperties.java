package io.junction.security;

import io.junction.topic.Topics;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link Topics#covers} and {@link Topics#intersects} agree with brute force over every topic of a small
 * universe. Patterns have at most {@value #MAX_PATTERN_TOKENS} tokens from {a, b, c, *} with an optional final
 * '&gt;'; the universe has every topic of up to one token more, over {a, b, c, z} ("z" is in no pattern, so a
 * '*' is told apart from a literal), which makes the brute force exact for these patterns.
 */
class TopicCoverageProperties
{
    private static final int MAX_PATTERN_TOKENS = 4;
    private static final List<String> UNIVERSE = universe(MAX_PATTERN_TOKENS + 1);

    @Property(tries = 2000)
    void coversMeansEveryMatchedTopicIsMatched(
        @ForAll("patterns") final String permission, @ForAll("patterns") final String requested)
    {
        final Pattern p = regex(permission);
        final Pattern r = regex(requested);
        boolean expected = true;
        for (final String topic : UNIVERSE)
        {
            if (r.matcher(topic).matches() && !p.matcher(topic).matches())
            {
                expected = false;
                break;
            }
        }
        assertEquals(expected, Topics.covers(permission, requested), permission + " covers " + requested);
    }

    @Property(tries = 2000)
    void intersectsMeansSomeTopicMatchesBoth(@ForAll("patterns") final String a, @ForAll("patterns") final String b)
    {
        final Pattern pa = regex(a);
        final Pattern pb = regex(b);
        boolean expected = false;
        for (final String topic : UNIVERSE)
        {
            if (pa.matcher(topic).matches() && pb.matcher(topic).matches())
            {
                expected = true;
                break;
            }
        }
        assertEquals(expected, Topics.intersects(a, b), a + " intersects " + b);
        assertEquals(expected, Topics.intersects(b, a), "symmetric");
    }

    @Property(tries = 1000)
    void aTopicIsCoveredExactlyWhenMatched(@ForAll("patterns") final String pattern, @ForAll("topics") final String topic)
    {
        assertEquals(regex(pattern).matcher(topic).matches(), Topics.covers(pattern, topic), pattern + " / " + topic);
    }

    @Property(tries = 500)
    void mayPublishIsSomeAllowMatchingAndNoDenyMatching(
        @ForAll("patternLists") final List<String> allow,
        @ForAll("patternLists") final List<String> deny,
        @ForAll("topics") final String topic)
    {
        final PatternPermissions permissions = PatternPermissions.builder().allowPublish(allow).denyPublish(deny).build();
        final boolean expected = allow.stream().anyMatch((p) -> regex(p).matcher(topic).matches()) &&
            deny.stream().noneMatch((d) -> regex(d).matcher(topic).matches());
        assertEquals(expected, permissions.mayPublish(topic), allow + " deny " + deny + " / " + topic);
    }

    @Property(tries = 300)
    void maySubscribeNeverLetsADeniedOrUnallowedTopicThrough(
        @ForAll("patternLists") final List<String> allow,
        @ForAll("patternLists") final List<String> deny,
        @ForAll("patterns") final String requested)
    {
        final PatternPermissions permissions = PatternPermissions.builder()
            .allowSubscribe(allow).denySubscribe(deny).build();
        final Pattern r = regex(requested);
        final List<Pattern> allowed = allow.stream().map(TopicCoverageProperties::regex).toList();
        final List<Pattern> denied = deny.stream().map(TopicCoverageProperties::regex).toList();
        boolean everyTopicAllowed = true;
        for (final String topic : UNIVERSE)
        {
            if (r.matcher(topic).matches() && (allowed.stream().noneMatch((p) -> p.matcher(topic).matches()) ||
                denied.stream().anyMatch((d) -> d.matcher(topic).matches())))
            {
                everyTopicAllowed = false;
                break;
            }
        }
        if (permissions.maySubscribe(requested))
        {
            assertEquals(true, everyTopicAllowed, allow + " deny " + deny + " let through " + requested);
        }
        if (allow.stream().anyMatch((p) -> Topics.covers(p, requested)) && everyTopicAllowed)
        {
            assertEquals(true, permissions.maySubscribe(requested), "covered and nothing denied: allowed");
        }
    }

    @Provide
    Arbitrary<List<String>> patternLists()
    {
        return patterns().list().ofMaxSize(3);
    }

    @Provide
    Arbitrary<String> patterns()
    {
        final Arbitrary<List<String>> tokens = Arbitraries.of("a", "b", "c", "*").list().ofMinSize(1)
            .ofMaxSize(MAX_PATTERN_TOKENS);
        return tokens.flatMap((list) -> Arbitraries.of(false, true).map((full) ->
        {
            final List<String> all = new ArrayList<>(list);
            if (full)
            {
                all.set(all.size() - 1, ">");
            }
            return String.join(".", all);
        }));
    }

    @Provide
    Arbitrary<String> topics()
    {
        return Arbitraries.of(UNIVERSE);
    }

    /** Independent of the code under test: '*' one token, '&gt;' one or more, as NATS defines them. */
    private static Pattern regex(final String pattern)
    {
        final StringBuilder regex = new StringBuilder();
        for (final String token : pattern.split("\\.", -1))
        {
            if (regex.length() > 0)
            {
                regex.append("\\.");
            }
            regex.append(switch (token)
            {
                case "*" -> "[^.]+";
                case ">" -> "[^.]+(\\.[^.]+)*";
                default -> Pattern.quote(token);
            });
        }
        return Pattern.compile(regex.toString());
    }

    private static List<String> universe(final int maxTokens)
    {
        final List<String> all = new ArrayList<>();
        List<String> level = List.of("");
        for (int n = 1; n <= maxTokens; n++)
        {
            final List<String> next = new ArrayList<>();
            for (final String prefix : level)
            {
                for (final String token : List.of("a", "b", "c", "z"))
                {
                    next.add(prefix.isEmpty() ? token : prefix + "." + token);
                }
            }
            all.addAll(next);
            level = next;
        }
        return all;
    }
}
