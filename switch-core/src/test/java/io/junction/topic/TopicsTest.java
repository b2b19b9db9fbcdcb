package io.junction.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.junction.RejectReason;

class TopicsTest
{
    private static final int MAX_LENGTH = 32;
    private static final int MAX_TOKENS = 4;

    @ParameterizedTest
    @ValueSource(strings = { "a", "prices.eur.usd", "a.b.c.d", "A-Z_0-9.~!@#$%^&()" })
    void acceptsValidTopics(final String topic)
    {
        assertNull(Topics.validateTopic(topic, MAX_LENGTH, MAX_TOKENS));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''                                   | EMPTY_TOPIC",
        "'.a'                                 | EMPTY_TOKEN",
        "'a.'                                 | EMPTY_TOKEN",
        "'a..b'                               | EMPTY_TOKEN",
        "'.'                                  | EMPTY_TOKEN",
        "'a.b.c.d.e'                          | TOO_MANY_TOKENS",
        "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'  | TOPIC_TOO_LONG",
        "'a b'                                | ILLEGAL_CHARACTER",
        "'a.\u00e9'                           | ILLEGAL_CHARACTER",
        "'a.\tb'                              | ILLEGAL_CHARACTER",
        "'a.*'                                | WILDCARD_IN_TOPIC",
        "'a.>'                                | WILDCARD_IN_TOPIC",
    })
    void rejectsBadTopicsWithTheirReason(final String topic, final RejectReason reason)
    {
        assertEquals(reason, Topics.validateTopic(topic, MAX_LENGTH, MAX_TOKENS));
    }

    @Test
    void rejectsNullTopic()
    {
        assertEquals(RejectReason.EMPTY_TOPIC, Topics.validateTopic(null, MAX_LENGTH, MAX_TOKENS));
    }

    @ParameterizedTest
    @ValueSource(strings = { "a", "*", ">", "a.*", "a.>", "*.b.>", "*.*.*.*", "a.*.c" })
    void acceptsValidPatterns(final String pattern)
    {
        assertNull(Topics.validatePattern(pattern, MAX_LENGTH, MAX_TOKENS));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "'>.a'     | FULL_WILDCARD_NOT_LAST",
        "'a.>.b'   | FULL_WILDCARD_NOT_LAST",
        "'a*'      | PARTIAL_WILDCARD",
        "'a.b*.c'  | PARTIAL_WILDCARD",
        "'a.>b'    | PARTIAL_WILDCARD",
        "'a.b>'    | PARTIAL_WILDCARD",
        "'a..*'    | EMPTY_TOKEN",
        "'*.'      | EMPTY_TOKEN",
        "'a b.*'   | ILLEGAL_CHARACTER",
    })
    void rejectsBadPatternsWithTheirReason(final String pattern, final RejectReason reason)
    {
        assertEquals(reason, Topics.validatePattern(pattern, MAX_LENGTH, MAX_TOKENS));
    }
}
