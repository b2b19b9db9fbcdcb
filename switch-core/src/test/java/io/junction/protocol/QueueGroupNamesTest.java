package io.junction.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.junction.client.ClientSubscriptionOptions;

/**
 * A queue group's name on the wire: 1 to 128 printable ASCII characters without spaces; the client refuses
 * another before it sends, naming what is wrong, and keeps a valid one in its copies.
 */
class QueueGroupNamesTest
{
    @Test
    void acceptsPrintableAsciiUpToTheLimitAndNamesWhatIsWrongOtherwise()
    {
        assertNull(QueueGroupNames.problem("workers"));
        assertNull(QueueGroupNames.problem("pool-1.eu_west:*>"));
        assertNull(QueueGroupNames.problem("g".repeat(QueueGroupNames.MAX_LENGTH)));
        assertEquals("is empty", QueueGroupNames.problem(""));
        assertEquals("has 129 characters, more than 128", QueueGroupNames.problem("g".repeat(129)));
        assertTrue(QueueGroupNames.problem("two words").startsWith("has the character 0x20 at 3"));
        assertTrue(QueueGroupNames.problem("caf\u00e9").startsWith("has the character 0xe9 at 3"));
        assertTrue(QueueGroupNames.problem("tab\t").startsWith("has the character 0x9 at 3"));
    }

    @Test
    void theClientRefusesAnInvalidNameAndKeepsAValidOne()
    {
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> ClientSubscriptionOptions.defaults().queueGroup("two words"));
        assertTrue(refused.getMessage().contains("queueGroup 'two words' refused"), refused::getMessage);
        assertEquals("workers", ClientSubscriptionOptions.defaults().queueGroup("workers").queueGroup());
        assertNull(ClientSubscriptionOptions.defaults().queueGroup());
        assertNull(ClientSubscriptionOptions.defaults().queueGroup("workers").queueGroup(null).queueGroup());
    }
}
