package io.junction.cluster;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopicPermissionsTest
{
    @Test
    void coversTopicsAndNarrowerPatterns()
    {
        assertTrue(TopicPermissions.covers(">", "a"));
        assertTrue(TopicPermissions.covers("orders.>", "orders.eu"));
        assertTrue(TopicPermissions.covers("orders.>", "orders.eu.*"));
        assertTrue(TopicPermissions.covers("orders.>", "orders.>"));
        assertTrue(TopicPermissions.covers("orders.*", "orders.eu"));
        assertTrue(TopicPermissions.covers("orders.*", "orders.*"));
        assertTrue(TopicPermissions.covers("orders.eu", "orders.eu"));

        assertFalse(TopicPermissions.covers("orders.>", "orders"));
        assertFalse(TopicPermissions.covers("orders.*", "orders.>"));
        assertFalse(TopicPermissions.covers("orders.*", "orders.eu.x"));
        assertFalse(TopicPermissions.covers("orders.eu", "orders.*"));
        assertFalse(TopicPermissions.covers("orders.eu", "orders.eux"));
        assertFalse(TopicPermissions.covers("orders.eux", "orders.eu"));
        assertFalse(TopicPermissions.covers("orders", "orders.eu"));
        assertFalse(TopicPermissions.covers("orders.eu", "admin.eu"));
    }

    @Test
    void grantsPerPrincipalAndNothingForStrangers()
    {
        final TopicPermissions permissions = TopicPermissions.builder()
            .grant("alice", List.of("orders.>"), List.of("orders.*", "audit.>"))
            .build();
        final TopicPermissions.Grant alice = permissions.grantFor("alice".getBytes(StandardCharsets.US_ASCII));
        assertTrue(alice.mayPublish("orders.eu"));
        assertFalse(alice.mayPublish("audit.x"));
        assertTrue(alice.maySubscribe("audit.x.>"));
        assertFalse(alice.maySubscribe("orders.>"));

        final TopicPermissions.Grant mallory = permissions.grantFor("mallory".getBytes(StandardCharsets.US_ASCII));
        assertFalse(mallory.mayPublish("orders.eu"));
        assertFalse(mallory.maySubscribe(">"));

        assertTrue(TopicPermissions.allowAll().grantFor(null).mayPublish("any.thing"));
        assertThrows(IllegalArgumentException.class,
            () -> TopicPermissions.builder().grant("bob", List.of("bad..pattern"), List.of()));
    }
}
