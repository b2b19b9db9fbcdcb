package io.junction.regulate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TopicPatternTest
{
    @ParameterizedTest
    @CsvSource({
        "a.b.c, a.b.c, true",
        "a.b.c, a.b.d, false",
        "a.*.c, a.x.c, true",
        "a.*.c, a.x.y.c, false",
        "a.>, a.x.y, true",
        "a.>, a, false",
        ">, anything.at.all, true",
        "ab.c, abc.c, false",
        "abc, ab.c, false",
        "a.b, a.b.c, false",
        "a.b.c, a.b, false",
        "*, x, true",
        "*, x.y, false",
    })
    void matchesAsTheRouterDoes(final String pattern, final String topic, final boolean expected)
    {
        assertEquals(expected, TopicPattern.matches(pattern, topic));
    }
}
