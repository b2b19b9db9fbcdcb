package io.junction.cluster;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterMembersTest
{
    @Test
    void shortFormPlacesFivePortsOnEachHost()
    {
        final ClusterMembers members = ClusterMembers.parse("1=10.0.0.2:20000 | 0=10.0.0.1:20000|2=host-c:30000");
        assertEquals(3, members.size());
        assertEquals("0,1,2", members.ids());
        assertEquals("10.0.0.2", members.member(1).host());
        assertEquals(List.of(30000, 30001, 30002, 30003, 30004), members.member(2).ports());
        assertEquals("0,10.0.0.1:20000,10.0.0.1:20001,10.0.0.1:20002,10.0.0.1:20003,10.0.0.1:20004|" +
            "1,10.0.0.2:20000,10.0.0.2:20001,10.0.0.2:20002,10.0.0.2:20003,10.0.0.2:20004|" +
            "2,host-c:30000,host-c:30001,host-c:30002,host-c:30003,host-c:30004", members.toAeronString());
        assertEquals("0=10.0.0.1:20000,1=10.0.0.2:20000,2=host-c:30000", members.ingressEndpoints());
    }

    @Test
    void aeronFormRoundTrips()
    {
        final String aeron = "0,a:1,a:2,a:3,a:4,a:5|1,b:9001,b:9002,b:9003,b:9004,b:9005";
        final ClusterMembers members = ClusterMembers.parse(aeron);
        assertEquals(aeron, members.toAeronString());
        assertEquals("b:9005", members.member(1).endpoint(4));
        assertEquals(aeron, ClusterMembers.parse(members.toAeronString()).toAeronString());
    }

    @Test
    void layoutIsTheOneHostShorthand()
    {
        final ClusterNode.Context ctx = new ClusterNode.Context().hostname("localhost").basePort(20_000).memberCount(3);
        assertEquals("0,localhost:20000,localhost:20001,localhost:20002,localhost:20003,localhost:20004|" +
            "1,localhost:20010,localhost:20011,localhost:20012,localhost:20013,localhost:20014|" +
            "2,localhost:20020,localhost:20021,localhost:20022,localhost:20023,localhost:20024", ctx.clusterMembers());
        assertEquals("0=localhost:20000,1=localhost:20010,2=localhost:20020", ctx.ingressEndpoints());
    }

    @Test
    void refusesBadListsWithTheEntryNamed()
    {
        assertProblem("1=a:20000|1=b:20000", "duplicate member id 1 in '1=b:20000' (already in '1=a:20000')");
        assertProblem("0=a:20000|1=a:20004", "endpoint a:20004 is used twice (member 0 and member 1's ingress)");
        assertProblem("0=a", "bad host:port 'a' in '0=a'");
        assertProblem("0=:20000", "bad host:port ':20000' in '0=:20000'");
        assertProblem("0=a:http", "bad host:port 'a:http' in '0=a:http': port 'http' is not a number");
        assertProblem("0=a:70000", "bad host:port 'a:70000' in '0=a:70000': port 70000 is not in 1..65535");
        assertProblem("0=a:65534", "the member's five ports 65534-65538 must be at most 65535");
        assertProblem("x=a:20000", "bad member id 'x' in 'x=a:20000': not a number");
        assertProblem("0,a:1,a:2,a:3", "member entry '0,a:1,a:2,a:3' has 4 fields");
        assertProblem("0,a:1,a:2,b:3,a:4,a:5", "names two hosts (a and b)");
        assertProblem("0=a:20000||1=b:20000", "empty member entry");
        assertProblem(" ", "the member list is empty");
        assertProblem("0=a:1|1=b:1", null);
    }

    @Test
    void aMemberMustBeInTheList()
    {
        final ClusterNode.Context ctx = new ClusterNode.Context().baseDir(new File("unused"))
            .members("0=a:20000|1=b:20000|2=c:20000").memberId(3);
        final IllegalStateException ex = assertThrows(IllegalStateException.class, ctx::conclude);
        assertEquals("member id 3 is not in the member list (ids 0,1,2)", ex.getMessage());

        final ClusterNode.Context bad = new ClusterNode.Context().baseDir(new File("unused")).members("0=a:1|0=b:1");
        assertTrue(assertThrows(IllegalStateException.class, bad::conclude).getMessage().startsWith(
            "members: duplicate member id 0"));
    }

    @Test
    void nodeMainRefusesBadArgumentsClearly()
    {
        assertEquals("--members is missing",
            assertThrows(IllegalArgumentException.class, () -> ClusterNodeMain.parse(new String[]{ "--member-id", "0" }))
                .getMessage());
        assertEquals("--member-id: 'one' is not a number", assertThrows(IllegalArgumentException.class,
            () -> ClusterNodeMain.parse(new String[]{ "--member-id", "one" })).getMessage());
        assertEquals("unknown option --bogus", assertThrows(IllegalArgumentException.class,
            () -> ClusterNodeMain.parse(new String[]{ "--bogus", "1" })).getMessage());
        assertEquals("--snapshots-kept: '-1' must not be negative", assertThrows(IllegalArgumentException.class,
            () -> ClusterNodeMain.parse(new String[]{ "--member-id", "0", "--snapshots-kept", "-1" })).getMessage());
        assertEquals("--min-free-disk-mb: 'lots' is not a number", assertThrows(IllegalArgumentException.class,
            () -> ClusterNodeMain.parse(new String[]{ "--member-id", "0", "--min-free-disk-mb", "lots" })).getMessage());
        final ClusterNode.Context ctx = ClusterNodeMain.parse(
            new String[]{ "--member-id", "2", "--members", "0=a:20000|1=b:20000|2=c:20000", "--dir", "/tmp/x",
                "--snapshot-interval-s", "600", "--snapshots-kept", "3", "--min-free-disk-mb", "1024" });
        assertEquals("2=c:20000", ctx.ingressEndpoints().split(",")[2]);
    }

    private static void assertProblem(final String list, final String expected)
    {
        if (null == expected)
        {
            ClusterMembers.parse(list); // distinct hosts may share ports
            return;
        }
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> ClusterMembers.parse(list));
        assertTrue(ex.getMessage().contains(expected), ex.getMessage());
    }
}
