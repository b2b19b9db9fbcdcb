package io.junction.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

class TokenMapTest
{
    @Test
    void behavesAsAHashMapUnderRandomPutsAndRemoves()
    {
        final TokenMap<Integer> map = new TokenMap<>();
        final Map<String, Integer> reference = new HashMap<>();
        final Random random = new Random(7);
        for (int i = 0; i < 20_000; i++)
        {
            final String key = "k" + random.nextInt(300);
            if (random.nextInt(3) == 0)
            {
                map.remove(key);
                reference.remove(key);
            }
            else
            {
                map.put(key, i);
                reference.put(key, i);
            }
            final String probe = "k" + random.nextInt(300);
            final String text = "x." + probe + ".y";
            assertEquals(reference.get(probe), map.get(text, 2, 2 + probe.length()), probe);
            assertEquals(reference.size(), map.size());
        }
        assertNull(map.get("absent"));
    }

    @Test
    void removesAKeyGivenAsARangeOfALargerText()
    {
        final TokenMap<String> map = new TokenMap<>();
        for (int i = 0; i < 1_000; i++)
        {
            map.put(Integer.toString(i), "v" + i);
        }
        for (int i = 0; i < 1_000; i += 3)
        {
            final String text = "users." + i + ".inbox";
            map.remove(text, 6, text.indexOf('.', 6));
        }
        for (int i = 0; i < 1_000; i++)
        {
            assertEquals(i % 3 == 0 ? null : "v" + i, map.get(Integer.toString(i)), Integer.toString(i));
        }
        assertEquals(666, map.size());
        map.remove("users.12345.inbox", 6, 11); // absent: nothing changes
        assertEquals(666, map.size());
    }

    @Test
    void keysWithTheSameHashStayApart()
    {
        final TokenMap<String> map = new TokenMap<>();
        final String[] same = { "Aa", "BB", "AaAa", "AaBB", "BBAa", "BBBB" }; // "Aa" and "BB" share a hash
        assertEquals("Aa".hashCode(), "BB".hashCode());
        for (final String key : same)
        {
            map.put(key, key.toLowerCase());
        }
        for (final String key : same)
        {
            assertEquals(key.toLowerCase(), map.get("x." + key + ".y", 2, 2 + key.length()), key);
        }
        map.remove("x.AaBB", 2, 6);
        map.remove("Aa");
        assertNull(map.get("AaBB"));
        assertNull(map.get("Aa"));
        assertEquals("bb", map.get("BB"));
        assertEquals("bbaa", map.get("BBAa"));
        assertEquals(4, map.size());
    }
}
