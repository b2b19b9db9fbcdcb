package io.junction.security;

import io.junction.topic.Topics;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PatternPermissionsTest
{
    @Test
    void coversTopicsAndNarrowerPatterns()
    {
        assertTrue(Topics.covers(">", "a"));
        assertTrue(Topics.covers("orders.>", "orders.eu"));
        assertTrue(Topics.covers("orders.>", "orders.eu.*"));
        assertTrue(Topics.covers("orders.>", "orders.>"));
        assertTrue(Topics.covers("orders.*", "orders.eu"));
        assertTrue(Topics.covers("orders.*", "orders.*"));
        assertTrue(Topics.covers("orders.eu", "orders.eu"));

        assertFalse(Topics.covers("orders.>", "orders"));
        assertFalse(Topics.covers("orders.*", "orders.>"));
        assertFalse(Topics.covers("orders.*", "orders.eu.x"));
        assertFalse(Topics.covers("orders.eu", "orders.*"));
        assertFalse(Topics.covers("orders.eu", "orders.eux"));
        assertFalse(Topics.covers("orders.eux", "orders.eu"));
        assertFalse(Topics.covers("orders", "orders.eu"));
        assertFalse(Topics.covers("orders.eu", "admin.eu"));
    }

    @Test
    void allowListsWithDenyListsCarvedOut()
    {
        final PatternPermissions alice = PatternPermissions.builder()
            .allowPublish(List.of("orders.>"))
            .denyPublish(List.of("orders.admin.>"))
            .allowSubscribe(List.of("orders.>", "audit.*"))
            .denySubscribe(List.of("orders.secret"))
            .build();

        assertTrue(alice.mayPublish("orders.eu"));
        assertFalse(alice.mayPublish("orders.admin.shutdown"), "denied");
        assertFalse(alice.mayPublish("audit.x"), "not allowed");

        assertTrue(alice.maySubscribe("orders.eu.*"));
        assertTrue(alice.maySubscribe("audit.x"));
        assertFalse(alice.maySubscribe("audit.>"), "wider than audit.*");
        assertFalse(alice.maySubscribe("orders.secret"), "denied");
        assertFalse(alice.maySubscribe("orders.*"), "would receive orders.secret");
        assertFalse(alice.maySubscribe("orders.>"), "would receive orders.secret");
    }

    @Test
    void tableGrantsNothingToStrangers()
    {
        final PrincipalPermissions table = PrincipalPermissions.of(
            Map.of("alice", PatternPermissions.of(List.of("orders.>"), List.of("orders.*"))));
        assertTrue(table.permissionsOf("alice").mayPublish("orders.eu"));
        assertSame(PatternPermissions.NONE, table.permissionsOf("mallory"));
        assertSame(PatternPermissions.NONE, table.permissionsOf(null));
        assertFalse(PatternPermissions.NONE.mayPublish("orders.eu"));
        assertFalse(PatternPermissions.NONE.maySubscribe(">"));
        assertTrue(PrincipalPermissions.ALLOW_ALL.permissionsOf(null).mayPublish("any.thing"));
    }

    @Test
    void refusesInvalidPatternsWhenBuilt()
    {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> PatternPermissions.of(List.of("bad..pattern"), List.of()));
        assertTrue(error.getMessage().contains("bad..pattern"), error.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PatternPermissions.of(List.of(), List.of("a.>.b")));
    }
}
