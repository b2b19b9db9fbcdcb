package io.junction.regulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;

import io.junction.Priority;
import io.junction.ShedReason;

/**
 * Rules for principals: a glob on the authenticated principal, and a token bucket per principal it matches, so
 * one principal's flood (under any publisher names) cannot spend another's quota.
 */
class PrincipalRuleTest
{
    @Test
    void aPrincipalGlobMatchesNamesNotPublishersWithoutAPrincipal()
    {
        final Rule team = Rule.forTopics(">").withPrincipal("team-*");
        assertTrue(team.matches("team-a/app", "team-a", "x", Priority.NORMAL));
        assertTrue(team.matches("anything", "team-", "x", Priority.NORMAL));
        assertFalse(team.matches("team-a/app", "other", "x", Priority.NORMAL), "the principal, not the name, counts");
        assertFalse(team.matches("team-a/app", null, "x", Priority.NORMAL), "no principal: no principal rule");
        assertTrue(Rule.glob("*", 0, "", 0));
        assertTrue(Rule.glob("a*c*", 0, "abcd", 0));
        assertFalse(Rule.glob("a*c", 0, "abcd", 0));
        assertTrue(Rule.forTopics(">").matches("x", "alice", "t", Priority.NORMAL), "no principal key: everyone");
    }

    @Test
    void eachPrincipalHasItsOwnBucketWhateverPublisherNamesItUses()
    {
        final CountersManager counters = new CountersManager(
            new UnsafeBuffer(new byte[64 * 1024]), new UnsafeBuffer(new byte[16 * 1024]));
        try (Regulator regulator = new Regulator(1, 1024, RegulationConfig.none()
            .withRule(Rule.forTopics("q.>").withPrincipal("*").withRateLimit(1, 5)), counters))
        {
            final Admission mallory = regulator.resolve(regulator.newCache("mallory/app", "mallory"), "q.x",
                Priority.NORMAL);
            final Admission malloryAsAlice = regulator.resolve(regulator.newCache("mallory/alice/app", "mallory"),
                "q.x", Priority.NORMAL);
            final Admission alice = regulator.resolve(regulator.newCache("alice/app", "alice"), "q.x",
                Priority.NORMAL);
            assertSame(mallory, malloryAsAlice, "one principal, one bucket");
            assertNotSame(mallory, alice);
            assertSame(Admission.UNREGULATED, regulator.resolve(regulator.newCache("alice/app"), "q.x",
                Priority.NORMAL), "an embedded publisher (no principal) is not governed by a principal rule");

            int shed = 0;
            for (int i = 0; i < 100; i++)
            {
                // Admitted ones count as queued (onNotQueued would give the token back).
                if (ShedReason.RATE_LIMITED == regulator.admit(mallory, 0, Priority.NORMAL, Regulator.NO_TTL, 0))
                {
                    shed++;
                }
            }
            assertEquals(95, shed, "mallory has his burst of 5, then is shed");
            assertNull(regulator.admit(alice, 0, Priority.NORMAL, Regulator.NO_TTL, 0), "alice's bucket is full");
        }
    }
}
