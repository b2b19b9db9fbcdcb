package io.junction.tools;

import java.io.File;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;

/**
 * The daemon's configuration: HOCON, every key defaulted by {@code daemon-defaults.conf}, checked in
 * full before anything starts. An unknown key or a bad value is a {@link ConfigException} naming it.
 * <p>
 * One record per section of the file, each read and checked by its own class; a caller changes one section with
 * its {@code with...} method (or a test parses a few keys over the defaults, {@link #parse(String)}) rather than
 * through a constructor that lists every key.
 */
public record DaemonConfig(
    NodeConfig node,
    SwitchConfig switchConfig,
    ObserveConfig observe,
    ListenConfig listen,
    NetworkConfig network,
    JournalConfig journal,
    ClusterConfig cluster,
    RegulationSection regulation,
    HttpConfig http,
    SecurityConfig security,
    WebhookConfig webhook,
    List<AlarmSpec> alarms,
    DemoConfig demo,
    AeronConfig aeron)
{
    public static Config defaults()
    {
        return ConfigFactory.parseResources(DaemonConfig.class, "daemon-defaults.conf",
            ConfigParseOptions.defaults().setAllowMissing(false));
    }

    /**
     * @param file the configuration file, or null for the embedded defaults.
     */
    public static DaemonConfig load(final File file)
    {
        final Config defaults = defaults();
        if (null == file)
        {
            return from(defaults);
        }
        if (!file.isFile())
        {
            throw new ConfigException("config file not found: " + file);
        }
        final Config user;
        try
        {
            user = ConfigFactory.parseFile(file, ConfigParseOptions.defaults()
                .setSyntax(ConfigSyntax.CONF).setAllowMissing(false)).resolve();
        }
        catch (final com.typesafe.config.ConfigException ex)
        {
            throw new ConfigException("config file " + file + " is not valid HOCON: " + ex.getMessage());
        }
        refuseUnknown(user, defaults, file.toString());
        return from(user.withFallback(defaults));
    }

    private static void refuseUnknown(final Config user, final Config defaults, final String where)
    {
        final Set<String> unknown = new TreeSet<>();
        for (final Map.Entry<String, ConfigValue> entry : user.entrySet())
        {
            if (!defaults.hasPath(entry.getKey()))
            {
                unknown.add(entry.getKey());
            }
        }
        if (!unknown.isEmpty())
        {
            final String key = unknown.iterator().next();
            throw new ConfigException("unknown key '" + key + "' in " + where + " (line " +
                user.getValue(key).origin().lineNumber() + ")" + (unknown.size() > 1 ? "; also unknown: " +
                String.join(", ", unknown.stream().skip(1).toList()) : "") +
                ". Known keys are those of the embedded defaults (junction run --print-defaults).");
        }
    }

    /**
     * @return the embedded defaults with {@code hocon}'s keys over them, checked as a file would be (for tests and
     *         embedders: {@code DaemonConfig.parse("network.io-agents = 2")}).
     */
    public static DaemonConfig parse(final String hocon)
    {
        final Config defaults = defaults();
        final Config user;
        try
        {
            user = ConfigFactory.parseString(hocon, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF))
                .resolve();
        }
        catch (final com.typesafe.config.ConfigException ex)
        {
            throw new ConfigException("not valid HOCON: " + ex.getMessage());
        }
        refuseUnknown(user, defaults, "the given keys");
        return from(user.withFallback(defaults));
    }

    static DaemonConfig from(final Config config)
    {
        final SecurityConfig security = SecurityConfig.from(config);
        final ListenConfig listen = ListenConfig.from(config);
        final HttpConfig http = HttpConfig.from(config);
        security.checkProtectedMode("listen.host", listen.host());
        if (http.enabled())
        {
            security.checkProtectedMode("http.host", http.host());
        }
        final NetworkConfig network = NetworkConfig.from(config);
        final AeronConfig aeron = AeronConfig.from(config);
        if (aeron.enabled())
        {
            aeronChecks(aeron, network, security);
        }
        return new DaemonConfig(
            NodeConfig.from(config),
            SwitchConfig.from(config),
            ObserveConfig.from(config),
            listen,
            network,
            JournalConfig.from(config),
            ClusterConfig.from(config),
            RegulationSection.from(config),
            http,
            security,
            WebhookConfig.from(config),
            AlarmSpec.listFrom(config),
            DemoConfig.from(config),
            aeron);
    }

    private static void aeronChecks(final AeronConfig aeron, final NetworkConfig network, final SecurityConfig security)
    {
        if (!aeron.ingressEndpoint().isEmpty())
        {
            security.checkProtectedMode("aeron.ingress-endpoint", aeron.ingressHost());
        }
        if (aeron.embeddedDriver() && network.maxFrameLength() > aeron.termLength() / 8)
        {
            throw new ConfigException("key 'aeron.term-length': " + aeron.termLength() + " carries frames of at most " +
                aeron.termLength() / 8 + " bytes (an eighth), but network.max-frame-length is " +
                network.maxFrameLength() + "; raise the term length");
        }
    }

    public DaemonConfig withNode(final NodeConfig node)
    {
        return new DaemonConfig(node, switchConfig, observe, listen, network, journal, cluster, regulation, http,
            security, webhook, alarms, demo, aeron);
    }

    public DaemonConfig withDemo(final DemoConfig demo)
    {
        return new DaemonConfig(node, switchConfig, observe, listen, network, journal, cluster, regulation, http,
            security, webhook, alarms, demo, aeron);
    }

    public DaemonConfig withNetwork(final NetworkConfig network)
    {
        return new DaemonConfig(node, switchConfig, observe, listen, network, journal, cluster, regulation, http,
            security, webhook, alarms, demo, aeron);
    }

    public DaemonConfig withJournal(final JournalConfig journal)
    {
        return new DaemonConfig(node, switchConfig, observe, listen, network, journal, cluster, regulation, http,
            security, webhook, alarms, demo, aeron);
    }

    public DaemonConfig withHttp(final HttpConfig http)
    {
        return new DaemonConfig(node, switchConfig, observe, listen, network, journal, cluster, regulation, http,
            security, webhook, alarms, demo, aeron);
    }

    public DaemonConfig withWebhook(final WebhookConfig webhook)
    {
        return new DaemonConfig(node, switchConfig, observe, listen, network, journal, cluster, regulation, http,
            security, webhook, alarms, demo, aeron);
    }

    public DaemonConfig withAeron(final AeronConfig aeron)
    {
        return new DaemonConfig(node, switchConfig, observe, listen, network, journal, cluster, regulation, http,
            security, webhook, alarms, demo, aeron);
    }
}
