package io.junction.security;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

/**
 * An {@link SSLContext} from key and trust stores on disk (PKCS12 by default, as keytool makes them).
 */
public final class TlsContexts
{
    private TlsContexts()
    {
    }

    /**
     * @param keyStore         this side's key and certificate chain; null for a client without a certificate.
     * @param keyPassword      the key store's (and its key's) password.
     * @param trustStore       the certificates this side trusts (a server's, or the clients' CA); null: the JDK's.
     * @param trustPassword    the trust store's password (may be null).
     * @param storeType        e.g. "PKCS12".
     * @throws IOException naming the file that could not be read, or what is wrong with it.
     */
    public static SSLContext create(
        final Path keyStore,
        final char[] keyPassword,
        final Path trustStore,
        final char[] trustPassword,
        final String storeType) throws IOException
    {
        try
        {
            KeyManagerFactory keyManagers = null;
            if (null != keyStore)
            {
                keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keyManagers.init(load(keyStore, keyPassword, storeType), keyPassword);
            }
            TrustManagerFactory trustManagers = null;
            if (null != trustStore)
            {
                trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trustManagers.init(load(trustStore, trustPassword, storeType));
            }
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(null == keyManagers ? null : keyManagers.getKeyManagers(),
                null == trustManagers ? null : trustManagers.getTrustManagers(), null);
            return context;
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IOException("cannot build TLS from " + keyStore + " and " + trustStore + ": " + ex.getMessage(), ex);
        }
    }

    private static KeyStore load(final Path file, final char[] password, final String type)
        throws IOException, GeneralSecurityException
    {
        final KeyStore store = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(file))
        {
            store.load(in, password);
        }
        catch (final IOException ex)
        {
            throw new IOException("cannot read " + type + " store " + file + ": " + ex.getMessage(), ex);
        }
        return store;
    }
}
