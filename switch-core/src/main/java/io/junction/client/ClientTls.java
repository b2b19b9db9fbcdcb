package io.junction.client;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

import javax.net.ssl.SSLContext;

import io.junction.security.TlsContexts;

/**
 * TLS options of a client connecting to a {@code tls://host:port} url: the certificates it trusts for the daemon
 * (default: the JDK's trust store) and, for {@code security.tls.client-auth = want|need} with the
 * {@code CLIENT_CERTIFICATE} method, its own key and certificate. The daemon's certificate must name the host of
 * the url (a subject alternative name), as HTTPS checks it.
 */
public final class ClientTls
{
    private Path trustStore;
    private char[] trustStorePassword;
    private Path keyStore;
    private char[] keyStorePassword;
    private String storeType = "PKCS12";

    /** The certificates that vouch for the daemon's (a CA's, or the daemon's own). */
    public ClientTls trustStore(final Path file, final char[] password)
    {
        this.trustStore = Objects.requireNonNull(file, "file");
        this.trustStorePassword = null == password ? null : password.clone();
        return this;
    }

    /**
     * This client's key and certificate: the daemon authenticates it as the certificate's subject when no user or
     * token is given (the HELLO's method is then {@code CLIENT_CERTIFICATE}).
     */
    public ClientTls keyStore(final Path file, final char[] password)
    {
        this.keyStore = Objects.requireNonNull(file, "file");
        this.keyStorePassword = null == password ? new char[0] : password.clone();
        return this;
    }

    /** The stores' type (default PKCS12, as keytool makes them). */
    public ClientTls storeType(final String type)
    {
        this.storeType = Objects.requireNonNull(type, "type");
        return this;
    }

    /** @return true when the client shows a certificate of its own. */
    public boolean hasClientCertificate()
    {
        return null != keyStore;
    }

    /**
     * @throws IllegalArgumentException naming the store that cannot be read.
     */
    SSLContext context()
    {
        try
        {
            return TlsContexts.create(keyStore, keyStorePassword, trustStore, trustStorePassword, storeType);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("TLS: " + ex.getMessage(), ex);
        }
    }
}
