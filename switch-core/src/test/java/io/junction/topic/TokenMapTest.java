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
}
