package io.junction.tools;

import java.security.cert.CertificateException;
import java.util.Locale;
import javax.net.ssl.SSLHandshakeException;

/**
 * Why a TLS connection was closed before it could serve; each reason has a counter.
 */
enum TlsFailure
{
    /** The first byte was not a TLS handshake record: a plaintext client on the TLS port. */
    PLAINTEXT,
    /** No handshake within {@code security.tls.handshake-timeout}: a silent or stalled client. */
    HANDSHAKE_TIMEOUT,
    /** The peer's certificate was missing, untrusted or invalid (client certificates required or wanted). */
    CERTIFICATE,
    /** The handshake failed otherwise (no common protocol version or cipher suite, a bad message). */
    HANDSHAKE,
    /** A TLS protocol error after the handshake (a bad record, a fatal alert). */
    PROTOCOL;

    /** The first byte of a TLS record carrying a handshake message (a ClientHello). */
    static final int HANDSHAKE_RECORD = 0x16;

    /**
     * @param firstByte the first byte the peer sent (-1 if none yet).
     */
    static TlsFailure classify(final int firstByte, final boolean handshakeDone, final Throwable failure)
    {
        if (firstByte >= 0 && firstByte != HANDSHAKE_RECORD)
        {
            return PLAINTEXT;
        }
        if (handshakeDone && !(failure instanceof SSLHandshakeException))
        {
            return PROTOCOL;
        }
        for (Throwable cause = failure; null != cause; cause = cause.getCause())
        {
            final String message = cause.getMessage();
            if (cause instanceof CertificateException ||
                null != message && message.toLowerCase(Locale.ROOT).contains("certificate"))
            {
                return CERTIFICATE;
            }
        }
        return HANDSHAKE;
    }
}
