package io.junction.tools;

import java.time.Duration;

import com.typesafe.config.Config;

import static io.junction.tools.ConfigKeys.bool;
import static io.junction.tools.ConfigKeys.bytes;
import static io.junction.tools.ConfigKeys.duration;
import static io.junction.tools.ConfigKeys.intAtLeast;

/**
 * The bounds of the protocol server ({@code network { ... }}): each is enforced, and each refusal is counted and
 * named in the ERROR that answers it. A restart applies changes.
 *
 * @param ioAgents                      threads polling the sockets (the first also accepts).
 * @param maxConnections                connections open at once; the next one is answered
 *                                      TOO_MANY_CONNECTIONS and closed.
 * @param maxSubscriptionsPerConnection subscriptions one connection may hold.
 * @param maxSubscriptions              remote subscriptions held at once, over all connections.
 * @param sendBufferBytes               bytes buffered for one connection's subscriptions (a ring), where a slow
 *                                      subscriber meets its policy.
 * @param maxFrameLength                the longest frame a client may send, after its length prefix; a longer
 *                                      prefix is answered FRAME_TOO_LARGE and the connection closed.
 * @param readTimeout                   how long half a frame may sit before the connection is closed.
 * @param helloTimeout                  how long a new connection has to say HELLO.
 * @param heartbeatInterval             how long a connection may be silent before the server PINGs it.
 * @param maxPingsOut                   PINGs unanswered before the connection is closed.
 * @param criticalReservePercent        under drop-oldest and drop-newest, the share of a remote subscriber's credit
 *                                      window and of its connection's send buffer kept for CRITICAL messages (0: none).
 * @param expressSendBufferBytes        bytes of each connection's CRITICAL express lane, a second send buffer written
 *                                      to the socket first (0: none, CRITICAL shares the send buffer).
 * @param inlineShard                   the switch runs on the one I/O agent's duty cycle ({@link InlineShard}):
 *                                      no pipeline or delivery threads; needs {@code io-agents = 1}.
 */
public record NetworkConfig(
    int ioAgents, int maxConnections, int maxSubscriptionsPerConnection, int maxSubscriptions, int sendBufferBytes,
    int maxFrameLength, Duration readTimeout, Duration helloTimeout, Duration heartbeatInterval, int maxPingsOut,
    int criticalReservePercent, int expressSendBufferBytes, boolean inlineShard)
{
    /**
     * @return the embedded defaults' {@code network} section, for tests and embedders to change a key of.
     */
    public static NetworkConfig defaults()
    {
        return from(DaemonConfig.defaults());
    }

    static NetworkConfig from(final Config config)
    {
        final int maxMessageLength = SwitchConfig.maxMessageLength(config);
        final int largestFrame = io.junction.protocol.ProtocolFrames.maxFrameLength(
            maxMessageLength, io.junction.Junction.Context.DEFAULT_MAX_TOPIC_LENGTH);
        final int configuredFrame = intAtLeast(config, "network.max-frame-length", 0, 64 << 20);
        if (configuredFrame != 0 && configuredFrame < 256)
        {
            throw new ConfigException("key 'network.max-frame-length': must be 0 (fit max-message-length) or at " +
                "least 256, was " + configuredFrame);
        }
        final int maxFrameLength = 0 == configuredFrame ? largestFrame : configuredFrame;
        final long sendBuffer = bytes(config, "network.send-buffer");
        final long minimum = ProtocolServer.minSendBufferBytes(Math.min(maxFrameLength, largestFrame));
        if (sendBuffer < minimum || sendBuffer > 1L << 30)
        {
            throw new ConfigException("key 'network.send-buffer': must be between " + minimum + " (8 frames of " +
                "max-message-length = " + maxMessageLength + ") and 1G, was " + sendBuffer);
        }
        final long express = bytes(config, "network.express-send-buffer");
        if (0 != express && (express < 1024 || express > 1L << 30))
        {
            throw new ConfigException("key 'network.express-send-buffer': must be 0 (no express lane) or between 1K " +
                "and 1G, was " + express);
        }
        final int ioAgents = intAtLeast(config, "network.io-agents", 1, 64);
        final boolean inlineShard = bool(config, "network.inline-shard");
        if (inlineShard && ioAgents != 1)
        {
            throw new ConfigException("key 'network.inline-shard': runs the switch on the one I/O thread, so it needs " +
                "network.io-agents = 1, was " + ioAgents + " (set network.inline-shard = false, or io-agents = 1)");
        }
        final int perConnection = intAtLeast(config, "network.max-subscriptions-per-connection", 0, 1 << 20);
        return new NetworkConfig(
            ioAgents,
            intAtLeast(config, "network.max-connections", 1, 1 << 20),
            perConnection,
            intAtLeast(config, "network.max-subscriptions", 0, 1 << 24),
            (int)sendBuffer,
            maxFrameLength,
            duration(config, "network.read-timeout", true),
            duration(config, "network.hello-timeout", true),
            duration(config, "network.heartbeat-interval", true),
            intAtLeast(config, "network.max-pings-out", 1, 1000),
            intAtLeast(config, "network.critical-reserve", 0, 50),
            (int)express,
            inlineShard);
    }
}
