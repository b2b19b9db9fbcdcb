package io.junction.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

class SubscriptionTrieTest
{
    private final SubscriptionTrie<String> trie = new SubscriptionTrie<>(16);

    private Set<String> match(final String topic)
    {
        final List<String> out = matchInOrder(topic);
        final Set<String> unique = new HashSet<>(out);
        assertEquals(unique.size(), out.size(), "a subscription matched twice: " + out);
        return unique;
    }

    private List<String> matchInOrder(final String topic)
    {
        final List<String> out = new ArrayList<>();
        trie.match(topic, out);
        return out;
    }

    @Test
    void matchesExactSingleAndFullWildcards()
    {
        trie.add("prices.eur.usd", "exact");
        trie.add("prices.*.usd", "star");
        trie.add("prices.>", "tail");
        trie.add(">", "all");
        trie.add("*.eur.*", "middle");

        assertEquals(Set.of("exact", "star", "tail", "all", "middle"), match("prices.eur.usd"));
        assertEquals(Set.of("star", "tail", "all"), match("prices.gbp.usd"));
        assertEquals(Set.of("tail", "all"), match("prices.gbp"));
        assertEquals(Set.of("all"), match("prices"), "'>' needs at least one more token");
        assertEquals(Set.of("tail", "all"), match("prices.eur.usd.spot"));
        assertEquals(Set.of("all", "middle"), match("orders.eur.new"));
    }

    @Test
    void singleWildcardMatchesExactlyOneToken()
    {
        trie.add("a.*", "s");
        assertEquals(Set.of("s"), match("a.b"));
        assertEquals(Set.of(), match("a"));
        assertEquals(Set.of(), match("a.b.c"));
    }

    @Test
    void overlappingPatternsEachMatchOnce()
    {
        trie.add("a.b", "one");
        trie.add("a.b", "two");
        trie.add("a.*", "one-star");
        trie.add("*.b", "star-b");
        trie.add("*.*", "star-star");
        assertEquals(Set.of("one", "two", "one-star", "star-b", "star-star"), match("a.b"));
    }

    @Test
    void removeLeavesOthersAndPrunes()
    {
        trie.add("a.b.c", "x");
        trie.add("a.b.c", "y");
        trie.add("a.>", "z");
        assertEquals(3, trie.size());

        assertTrue(trie.remove("a.b.c", "x"));
        assertFalse(trie.remove("a.b.c", "x"), "already removed");
        assertFalse(trie.remove("a.b", "y"), "wrong pattern");
        assertEquals(Set.of("y", "z"), match("a.b.c"));

        assertTrue(trie.remove("a.b.c", "y"));
        assertTrue(trie.remove("a.>", "z"));
        assertEquals(0, trie.size());
        assertEquals(Set.of(), match("a.b.c"));
    }

    @Test
    void aNodeGoesFromOneValueToManyAndBackKeepingTheOrderAdded()
    {
        trie.add("a.b", "first");
        trie.add("a.b", "second");
        trie.add("a.b", "third");
        trie.add("a.>", "tail-1");
        trie.add("a.>", "tail-2");
        assertEquals(List.of("tail-1", "tail-2", "first", "second", "third"), matchInOrder("a.b"));

        assertTrue(trie.remove("a.b", "second"));
        assertEquals(List.of("tail-1", "tail-2", "first", "third"), matchInOrder("a.b"));
        assertTrue(trie.remove("a.b", "first"));
        assertTrue(trie.remove("a.>", "tail-1"));
        assertEquals(List.of("tail-2", "third"), matchInOrder("a.b"), "one value left in each");
        assertFalse(trie.remove("a.b", "first"), "gone once left alone");
        assertFalse(trie.remove("a.>", "tail-1"));

        trie.add("a.b", "third"); // the same value twice is two entries, removed one at a time
        assertEquals(List.of("tail-2", "third", "third"), matchInOrder("a.b"));
        assertTrue(trie.remove("a.b", "third"));
        assertEquals(List.of("tail-2", "third"), matchInOrder("a.b"));
        assertTrue(trie.remove("a.b", "third"));
        assertTrue(trie.remove("a.>", "tail-2"));
        assertEquals(0, trie.size());
        assertEquals(List.of(), matchInOrder("a.b"));

        trie.add("a.b.c", "again"); // the pruned path is built anew
        assertEquals(List.of("again"), matchInOrder("a.b.c"));
    }

    @Test
    void aSecondSiblingTokenAndItsRemovalKeepEveryChildReachable()
    {
        trie.add("a.x", "x"); // a's one child, held inline
        trie.add("a.y", "y"); // a second: both move to a map
        trie.add("a.z.deep", "deep");
        assertEquals(List.of("x"), matchInOrder("a.x"));
        assertEquals(List.of("y"), matchInOrder("a.y"));
        assertTrue(trie.remove("a.x", "x"));
        assertEquals(List.of(), matchInOrder("a.x"));
        assertEquals(List.of("y"), matchInOrder("a.y"));
        assertTrue(trie.remove("a.y", "y"));
        assertTrue(trie.remove("a.z.deep", "deep"));
        assertEquals(0, trie.size());
        trie.add("a.w", "w");
        assertEquals(List.of("w"), matchInOrder("a.w"));
        assertEquals(List.of(), matchInOrder("a.x"));
        assertFalse(trie.remove("a.x", "x"));
        assertFalse(trie.remove("a.ww", "w"), "a token that only starts like the child's");
        assertEquals(List.of(), matchInOrder("a.ww"));
    }

    @Test
    void numericTokensByTheHundredThousandMatchAndRemove()
    {
        final SubscriptionTrie<Integer> users = new SubscriptionTrie<>(16);
        final int count = 100_000;
        for (int i = 0; i < count; i++)
        {
            users.add("users." + i + ".inbox", i);
        }
        final List<Integer> out = new ArrayList<>();
        for (int i = 0; i < count; i += 997)
        {
            out.clear();
            assertEquals(1, users.match("users." + i + ".inbox", out));
            assertEquals(List.of(i), out);
        }
        for (int i = 0; i < count; i += 2)
        {
            assertTrue(users.remove("users." + i + ".inbox", i));
        }
        assertEquals(count / 2, users.size());
        for (int i = 0; i < 1000; i++)
        {
            out.clear();
            users.match("users." + i + ".inbox", out);
            assertEquals(i % 2 == 0 ? List.of() : List.of(i), out, "users." + i);
        }
    }

    @Test
    void agreesWithABruteForceMatcherOnRandomPatterns()
    {
        final Random random = new Random(42);
        final String[] tokens = { "a", "b", "c", "dd", "e" };
        final List<String> patterns = new ArrayList<>();
        for (int i = 0; i < 500; i++)
        {
            final int length = 1 + random.nextInt(4);
            final StringBuilder pattern = new StringBuilder();
            for (int t = 0; t < length; t++)
            {
                if (t > 0)
                {
                    pattern.append('.');
                }
                final int pick = random.nextInt(tokens.length + 2);
                if (pick == tokens.length)
                {
                    pattern.append('*');
                }
                else if (pick == tokens.length + 1 && t == length - 1)
                {
                    pattern.append('>');
                }
                else
                {
                    pattern.append(tokens[random.nextInt(tokens.length)]);
                }
            }
            final String text = pattern.toString();
            patterns.add(text);
            trie.add(text, i + ":" + text);
        }

        // Remove a third, to check removal keeps the rest intact.
        final Set<String> live = new HashSet<>();
        for (int i = 0; i < patterns.size(); i++)
        {
            final String value = i + ":" + patterns.get(i);
            if (i % 3 == 0)
            {
                assertTrue(trie.remove(patterns.get(i), value));
            }
            else
            {
                live.add(value);
            }
        }

        for (int i = 0; i < 2000; i++)
        {
            final int length = 1 + random.nextInt(5);
            final StringBuilder topic = new StringBuilder();
            for (int t = 0; t < length; t++)
            {
                if (t > 0)
                {
                    topic.append('.');
                }
                topic.append(tokens[random.nextInt(tokens.length)]);
            }
            final String text = topic.toString();
            final Set<String> expected = new HashSet<>();
            for (final String value : live)
            {
                if (bruteForceMatches(value.substring(value.indexOf(':') + 1), text))
                {
                    expected.add(value);
                }
            }
            assertEquals(expected, match(text), text);
        }
    }

    private static boolean bruteForceMatches(final String pattern, final String topic)
    {
        final String[] p = pattern.split("\\.");
        final String[] t = topic.split("\\.");
        for (int i = 0; i < p.length; i++)
        {
            if (p[i].equals(">"))
            {
                return t.length > i;
            }
            if (i >= t.length || !(p[i].equals("*") || p[i].equals(t[i])))
            {
                return false;
            }
        }
        return p.length == t.length;
    }
}
